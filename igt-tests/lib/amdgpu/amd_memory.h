/* SPDX-License-Identifier: MIT */
/*
 * Stand-in for IGT's lib/amdgpu/amd_memory.h: the subset of its buffer
 * helpers that amd_ttm_dma.c uses, with IGT's names and signatures, so the
 * test builds unchanged inside IGT (where IGT's own library is used).
 * An independent implementation, not IGT code.
 */
#ifndef AMD_MEMORY_H
#define AMD_MEMORY_H

#include "igt.h"	/* IGT's header includes drmtest.h */
#include <amdgpu.h>
#include <amdgpu_drm.h>

/* BO + VA range + GPU mapping; asserts success. */
amdgpu_bo_handle
gpu_mem_alloc(amdgpu_device_handle device_handle, uint64_t size,
	      uint64_t alignment, uint32_t type, uint64_t alloc_flags,
	      uint64_t *vmc_addr, amdgpu_va_handle *va_handle);

/* Undoes gpu_mem_alloc(); asserts success. */
void
gpu_mem_free(amdgpu_bo_handle bo, amdgpu_va_handle va_handle,
	     uint64_t vmc_addr, uint64_t size);

/* BO only; 0 or the libdrm error. */
int
amdgpu_bo_alloc_wrap(amdgpu_device_handle dev, unsigned size,
		     unsigned alignment, unsigned heap, uint64_t flags,
		     amdgpu_bo_handle *bo);

/* BO + VA + GPU mapping + CPU mapping; 0 or the libdrm error. */
int
amdgpu_bo_alloc_and_map(amdgpu_device_handle dev, unsigned size,
			unsigned alignment, unsigned heap, uint64_t flags,
			amdgpu_bo_handle *bo, void **cpu, uint64_t *mc_address,
			amdgpu_va_handle *va_handle);

/* Undoes amdgpu_bo_alloc_and_map(). */
void
amdgpu_bo_unmap_and_free(amdgpu_bo_handle bo, amdgpu_va_handle va_handle,
			 uint64_t mc_addr, uint64_t size);

/* A list of bo1 and, if not NULL, bo2. */
int
amdgpu_get_bo_list(amdgpu_device_handle dev, amdgpu_bo_handle bo1,
		   amdgpu_bo_handle bo2, amdgpu_bo_list_handle *list);

#endif
