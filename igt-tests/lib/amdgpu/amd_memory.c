// SPDX-License-Identifier: MIT
/*
 * Stand-in for the part of IGT's lib/amdgpu/amd_memory.c that
 * amd_ttm_dma.c uses; see amd_memory.h. Written for this project from
 * IGT's documented behaviour (same signatures, same libdrm calls).
 */
#include "lib/amdgpu/amd_memory.h"

amdgpu_bo_handle
gpu_mem_alloc(amdgpu_device_handle device_handle, uint64_t size,
	      uint64_t alignment, uint32_t type, uint64_t alloc_flags,
	      uint64_t *vmc_addr, amdgpu_va_handle *va_handle)
{
	struct amdgpu_bo_alloc_request req;
	amdgpu_bo_handle bo;

	memset(&req, 0, sizeof(req));
	req.alloc_size = size;
	req.phys_alignment = alignment;
	req.preferred_heap = type;
	req.flags = alloc_flags;
	igt_assert_eq(amdgpu_bo_alloc(device_handle, &req, &bo), 0);
	igt_assert_eq(amdgpu_va_range_alloc(device_handle,
					    amdgpu_gpu_va_range_general, size,
					    alignment, 0, vmc_addr, va_handle,
					    0), 0);
	igt_assert_eq(amdgpu_bo_va_op(bo, 0, size, *vmc_addr, 0,
				      AMDGPU_VA_OP_MAP), 0);
	return bo;
}

void
gpu_mem_free(amdgpu_bo_handle bo, amdgpu_va_handle va_handle,
	     uint64_t vmc_addr, uint64_t size)
{
	igt_assert_eq(amdgpu_bo_va_op(bo, 0, size, vmc_addr, 0,
				      AMDGPU_VA_OP_UNMAP), 0);
	igt_assert_eq(amdgpu_va_range_free(va_handle), 0);
	igt_assert_eq(amdgpu_bo_free(bo), 0);
}

int
amdgpu_bo_alloc_wrap(amdgpu_device_handle dev, unsigned size,
		     unsigned alignment, unsigned heap, uint64_t flags,
		     amdgpu_bo_handle *bo)
{
	struct amdgpu_bo_alloc_request req;

	memset(&req, 0, sizeof(req));
	req.alloc_size = size;
	req.phys_alignment = alignment;
	req.preferred_heap = heap;
	req.flags = flags;
	return amdgpu_bo_alloc(dev, &req, bo);
}

int
amdgpu_bo_alloc_and_map(amdgpu_device_handle dev, unsigned size,
			unsigned alignment, unsigned heap, uint64_t flags,
			amdgpu_bo_handle *bo, void **cpu, uint64_t *mc_address,
			amdgpu_va_handle *va_handle)
{
	amdgpu_bo_handle b;
	amdgpu_va_handle va;
	uint64_t addr;
	int r;

	r = amdgpu_bo_alloc_wrap(dev, size, alignment, heap, flags, &b);
	if (r)
		return r;
	r = amdgpu_va_range_alloc(dev, amdgpu_gpu_va_range_general, size,
				  alignment, 0, &addr, &va, 0);
	if (r)
		goto free_bo;
	r = amdgpu_bo_va_op(b, 0, size, addr, 0, AMDGPU_VA_OP_MAP);
	if (r)
		goto free_va;
	r = amdgpu_bo_cpu_map(b, cpu);
	if (r)
		goto unmap;
	*bo = b;
	*va_handle = va;
	*mc_address = addr;
	return 0;

unmap:
	amdgpu_bo_va_op(b, 0, size, addr, 0, AMDGPU_VA_OP_UNMAP);
free_va:
	amdgpu_va_range_free(va);
free_bo:
	amdgpu_bo_free(b);
	return r;
}

void
amdgpu_bo_unmap_and_free(amdgpu_bo_handle bo, amdgpu_va_handle va_handle,
			 uint64_t mc_addr, uint64_t size)
{
	amdgpu_bo_cpu_unmap(bo);
	amdgpu_bo_va_op(bo, 0, size, mc_addr, 0, AMDGPU_VA_OP_UNMAP);
	amdgpu_va_range_free(va_handle);
	amdgpu_bo_free(bo);
}

int
amdgpu_get_bo_list(amdgpu_device_handle dev, amdgpu_bo_handle bo1,
		   amdgpu_bo_handle bo2, amdgpu_bo_list_handle *list)
{
	amdgpu_bo_handle bos[2] = { bo1, bo2 };

	return amdgpu_bo_list_create(dev, bo2 ? 2 : 1, bos, NULL, list);
}
