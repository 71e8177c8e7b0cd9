/* SPDX-License-Identifier: MIT */
/*
 * Stand-in for IGT's lib/amdgpu/amd_sdma.h: the SDMA packet macros that
 * amd_ttm_dma.c uses, with IGT's names. Each value is taken from the
 * kernel's own encoders (Linux drivers/gpu/drm/amd/amdgpu/):
 *   CIK and later: cikd.h SDMA_PACKET(), SDMA_OPCODE_COPY (1),
 *     SDMA_COPY_SUB_OPCODE_LINEAR (0), SDMA_OPCODE_WRITE (2),
 *     SDMA_WRITE_SUB_OPCODE_LINEAR (0), SDMA_OPCODE_CONSTANT_FILL (11),
 *     SDMA_OPCODE_NOP (0); the same op/sub-op numbers are SDMA_OP_COPY /
 *     SDMA_SUBOP_COPY_LINEAR of the sdma v4+ headers (vega10_sdma_pkt_open.h,
 *     navi10_sdma_pkt_open.h, sdma_v6_0_0_pkt_open.h, ...).
 *   SI: sid.h DMA_PACKET(cmd, b, t, s, n), DMA_PACKET_COPY (3),
 *     DMA_PACKET_WRITE (2), DMA_PACKET_CONSTANT_FILL (0xd),
 *     DMA_PACKET_NOP (0xf).
 */
#ifndef AMD_SDMA_H
#define AMD_SDMA_H

#define SDMA_PACKET(op, sub_op, e)	((((e) & 0xFFFF) << 16) |	\
					 (((sub_op) & 0xFF) << 8) |	\
					 (((op) & 0xFF) << 0))
#define SDMA_OPCODE_COPY			1
#define SDMA_COPY_SUB_OPCODE_LINEAR		0
#define SDMA_OPCODE_WRITE			2
#define SDMA_WRITE_SUB_OPCODE_LINEAR		0
#define SDMA_OPCODE_CONSTANT_FILL		11
#define SDMA_NOP				0x0

#define SDMA_PACKET_SI(op, b, t, s, cnt)	((((op) & 0xF) << 28) |	\
						 (((b) & 0x1) << 26) |	\
						 (((t) & 0x1) << 23) |	\
						 (((s) & 0x1) << 22) |	\
						 (((cnt) & 0xFFFFF) << 0))
#define SDMA_OPCODE_COPY_SI			3
#define SDMA_OPCODE_CONSTANT_FILL_SI		13
#define SDMA_NOP_SI				0xf

#endif
