/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/compat.h - Xen's public structures as a 32-bit (PAE) PV guest lays
 * them out: longs, pointers and frame numbers of 32 bits, 64-bit members
 * aligned to 4 (the i386 ABI).
 *
 * Each structure is one list of its members; the list defines the
 * structure here and, compiled with -m32 by lib/compat-layout.c against the
 * public headers, gives the offset and size of every member and of the
 * whole on i386 ($(O)/compat-layout.h). Every member and every size is
 * checked against those below, so a member missing, misplaced or of the
 * wrong width fails the build: nothing here is a layout taken on trust.
 *
 * A list entry is M(S, type, name, dimension, member in Xen's structure).
 */
#ifndef LIB_COMPAT_H
#define LIB_COMPAT_H

#include "lib/compiler.h"
#include "lib/xen.h"

#define COMPAT_CAT_(a, b, c, d) a##b##c##d
#define COMPAT_CAT(a, b, c, d)  COMPAT_CAT_(a, b, c, d)
#define COMPAT_STR_(x)          #x
#define COMPAT_STR(x)           COMPAT_STR_(x)

typedef uint64_t compat_u64 __aligned(4);

/* start_info (xen.h): what the builder hands a 32-bit kernel. */
#define COMPAT_START_INFO(M, S)                                                 \
    M(S, char,       magic,          [32], magic)                               \
    M(S, uint32_t,   nr_pages,       ,     nr_pages)                            \
    M(S, uint32_t,   shared_info,    ,     shared_info)                         \
    M(S, uint32_t,   flags,          ,     flags)                               \
    M(S, uint32_t,   store_mfn,      ,     store_mfn)                           \
    M(S, uint32_t,   store_evtchn,   ,     store_evtchn)                        \
    M(S, uint32_t,   console_mfn,    ,     console.domU.mfn)                    \
    M(S, uint32_t,   console_evtchn, ,     console.domU.evtchn)                 \
    M(S, uint32_t,   pt_base,        ,     pt_base)                             \
    M(S, uint32_t,   nr_pt_frames,   ,     nr_pt_frames)                        \
    M(S, uint32_t,   mfn_list,       ,     mfn_list)                            \
    M(S, uint32_t,   mod_start,      ,     mod_start)                           \
    M(S, uint32_t,   mod_len,        ,     mod_len)                             \
    M(S, char,       cmd_line,       [MAX_GUEST_CMDLINE], cmd_line)             \
    M(S, uint32_t,   first_p2m_pfn,  ,     first_p2m_pfn)                       \
    M(S, uint32_t,   nr_p2m_frames,  ,     nr_p2m_frames)

/* vcpu_time_info: the same on both, checked all the same. */
#define COMPAT_VCPU_TIME_INFO(M, S)                                             \
    M(S, uint32_t,   version,           , version)                              \
    M(S, uint32_t,   pad0,              , pad0)                                 \
    M(S, compat_u64, tsc_timestamp,     , tsc_timestamp)                        \
    M(S, compat_u64, system_time,       , system_time)                          \
    M(S, uint32_t,   tsc_to_system_mul, , tsc_to_system_mul)                    \
    M(S, int8_t,     tsc_shift,         , tsc_shift)                            \
    M(S, uint8_t,    flags,             , flags)                                \
    M(S, uint8_t,    pad1,              [2], pad1)

#define COMPAT_ARCH_VCPU_INFO(M, S)                                             \
    M(S, uint32_t,   cr2,    ,   cr2)                                           \
    M(S, uint32_t,   pad,    [5], pad)

#define COMPAT_VCPU_INFO(M, S)                                                  \
    M(S, uint8_t,    evtchn_upcall_pending, , evtchn_upcall_pending)            \
    M(S, uint8_t,    evtchn_upcall_mask,    , evtchn_upcall_mask)               \
    M(S, uint32_t,   evtchn_pending_sel,    , evtchn_pending_sel)               \
    M(S, struct compat_arch_vcpu_info, arch, , arch)                            \
    M(S, struct compat_vcpu_time_info, time, , time)

#define COMPAT_ARCH_SHARED_INFO(M, S)                                           \
    M(S, uint32_t,   max_pfn,                    , max_pfn)                     \
    M(S, uint32_t,   pfn_to_mfn_frame_list_list, , pfn_to_mfn_frame_list_list)  \
    M(S, uint32_t,   nmi_reason,                 , nmi_reason)                  \
    M(S, uint32_t,   p2m_cr3,                    , p2m_cr3)                     \
    M(S, uint32_t,   p2m_vaddr,                  , p2m_vaddr)                   \
    M(S, uint32_t,   p2m_generation,             , p2m_generation)              \
    M(S, uint32_t,   wc_sec_hi,                  , wc_sec_hi)

/* 1024 ports of 2-level events: 32 words of 32 bits. */
#define COMPAT_SHARED_INFO(M, S)                                                \
    M(S, struct compat_vcpu_info, vcpu_info, [XEN_LEGACY_MAX_VCPUS], vcpu_info) \
    M(S, uint32_t,   evtchn_pending, [32], evtchn_pending)                      \
    M(S, uint32_t,   evtchn_mask,    [32], evtchn_mask)                         \
    M(S, uint32_t,   wc_version,     ,     wc_version)                          \
    M(S, uint32_t,   wc_sec,         ,     wc_sec)                              \
    M(S, uint32_t,   wc_nsec,        ,     wc_nsec)                             \
    M(S, struct compat_arch_shared_info, arch, , arch)

/* vcpu_runstate_info: 44 bytes on i386, 48 on x86-64. */
#define COMPAT_VCPU_RUNSTATE_INFO(M, S)                                         \
    M(S, int32_t,    state,            ,    state)                              \
    M(S, compat_u64, state_entry_time, ,    state_entry_time)                   \
    M(S, compat_u64, time,             [4], time)

/* cpu_user_regs (arch-x86/xen-x86_32.h): 68 bytes. */
#define COMPAT_CPU_USER_REGS(M, S)                                              \
    M(S, uint32_t,   ebx,               , ebx)                                  \
    M(S, uint32_t,   ecx,               , ecx)                                  \
    M(S, uint32_t,   edx,               , edx)                                  \
    M(S, uint32_t,   esi,               , esi)                                  \
    M(S, uint32_t,   edi,               , edi)                                  \
    M(S, uint32_t,   ebp,               , ebp)                                  \
    M(S, uint32_t,   eax,               , eax)                                  \
    M(S, uint16_t,   error_code,        , error_code)                           \
    M(S, uint16_t,   entry_vector,      , entry_vector)                         \
    M(S, uint32_t,   eip,               , eip)                                  \
    M(S, uint16_t,   cs,                , cs)                                   \
    M(S, uint8_t,    saved_upcall_mask, , saved_upcall_mask)                    \
    M(S, uint8_t,    pad0,              , _pad0)                                \
    M(S, uint32_t,   eflags,            , eflags)                               \
    M(S, uint32_t,   esp,               , esp)                                  \
    M(S, uint16_t,   ss,                , ss)                                   \
    M(S, uint16_t,   pad1,              , _pad1)                                \
    M(S, uint16_t,   es,                , es)                                   \
    M(S, uint16_t,   pad2,              , _pad2)                                \
    M(S, uint16_t,   ds,                , ds)                                   \
    M(S, uint16_t,   pad3,              , _pad3)                                \
    M(S, uint16_t,   fs,                , fs)                                   \
    M(S, uint16_t,   pad4,              , _pad4)                                \
    M(S, uint16_t,   gs,                , gs)                                   \
    M(S, uint16_t,   pad5,              , _pad5)

/* trap_info: set_trap_table's entries, 8 bytes. */
#define COMPAT_TRAP_INFO(M, S)                                                  \
    M(S, uint8_t,    vector,  , vector)                                         \
    M(S, uint8_t,    flags,   , flags)                                          \
    M(S, uint16_t,   cs,      , cs)                                             \
    M(S, uint32_t,   address, , address)

/* vcpu_guest_context (VCPUOP_initialise): 2800 bytes. */
#define COMPAT_VCPU_GUEST_CONTEXT(M, S)                                         \
    M(S, uint8_t,    fpu_ctxt,              [512], fpu_ctxt)                    \
    M(S, uint32_t,   flags,                 ,      flags)                       \
    M(S, struct compat_cpu_user_regs, user_regs, , user_regs)                   \
    M(S, struct compat_trap_info, trap_ctxt, [256], trap_ctxt)                  \
    M(S, uint32_t,   ldt_base,              ,      ldt_base)                    \
    M(S, uint32_t,   ldt_ents,              ,      ldt_ents)                    \
    M(S, uint32_t,   gdt_frames,            [16],  gdt_frames)                  \
    M(S, uint32_t,   gdt_ents,              ,      gdt_ents)                    \
    M(S, uint32_t,   kernel_ss,             ,      kernel_ss)                   \
    M(S, uint32_t,   kernel_sp,             ,      kernel_sp)                   \
    M(S, uint32_t,   ctrlreg,               [8],   ctrlreg)                     \
    M(S, uint32_t,   debugreg,              [8],   debugreg)                    \
    M(S, uint32_t,   event_callback_cs,     ,      event_callback_cs)           \
    M(S, uint32_t,   event_callback_eip,    ,      event_callback_eip)          \
    M(S, uint32_t,   failsafe_callback_cs,  ,      failsafe_callback_cs)        \
    M(S, uint32_t,   failsafe_callback_eip, ,      failsafe_callback_eip)       \
    M(S, uint32_t,   vm_assist,             ,      vm_assist)

/* multicall_entry: 32 bytes (op, result, six arguments). */
#define COMPAT_MULTICALL_ENTRY(M, S)                                            \
    M(S, uint32_t,   op,     ,    op)                                           \
    M(S, uint32_t,   result, ,    result)                                       \
    M(S, uint32_t,   args,   [6], args)

/* mmuext_op: 12 bytes; arg1 is an mfn or an address, arg2 a count, a
 * vCPU-mask pointer or an mfn. */
#define COMPAT_MMUEXT_OP(M, S)                                                  \
    M(S, uint32_t,   cmd,  , cmd)                                               \
    M(S, uint32_t,   arg1, , arg1.mfn)                                          \
    M(S, uint32_t,   arg2, , arg2.nr_ents)

/* callback_register (CALLBACKOP_register): a cs:eip pair, 12 bytes. */
#define COMPAT_CALLBACK_REGISTER(M, S)                                          \
    M(S, uint16_t,   type,    , type)                                           \
    M(S, uint16_t,   flags,   , flags)                                          \
    M(S, uint32_t,   cs,      , address.cs)                                     \
    M(S, uint32_t,   eip,     , address.eip)

/* Guest handles are 32-bit pointers. */
#define COMPAT_XEN_MEMORY_RESERVATION(M, S)                                     \
    M(S, uint32_t,   extent_start, , extent_start)                              \
    M(S, uint32_t,   nr_extents,   , nr_extents)                                \
    M(S, uint32_t,   extent_order, , extent_order)                              \
    M(S, uint32_t,   mem_flags,    , mem_flags)                                 \
    M(S, uint16_t,   domid,        , domid)

#define COMPAT_XEN_ADD_TO_PHYSMAP(M, S)                                         \
    M(S, uint16_t,   domid, , domid)                                            \
    M(S, uint16_t,   size,  , size)                                             \
    M(S, uint32_t,   space, , space)                                            \
    M(S, uint32_t,   idx,   , idx)                                              \
    M(S, uint32_t,   gpfn,  , gpfn)

#define COMPAT_XEN_MACHPHYS_MAPPING(M, S)                                       \
    M(S, uint32_t,   v_start, , v_start)                                        \
    M(S, uint32_t,   v_end,   , v_end)                                          \
    M(S, uint32_t,   max_mfn, , max_mfn)

/* The runstate and time areas: a 64-bit union member, 8 bytes as on x86-64. */
#define COMPAT_VCPU_REGISTER_RUNSTATE_MEMORY_AREA(M, S)                         \
    M(S, compat_u64, addr, , addr.p)

/* 12 bytes on i386, 16 on x86-64. */
#define COMPAT_VCPU_SET_SINGLESHOT_TIMER(M, S)                                  \
    M(S, compat_u64, timeout_abs_ns, , timeout_abs_ns)                          \
    M(S, uint32_t,   flags,          , flags)

#define COMPAT_SCHED_POLL(M, S)                                                 \
    M(S, uint32_t,   ports,    , ports)                                         \
    M(S, uint32_t,   nr_ports, , nr_ports)                                      \
    M(S, compat_u64, timeout,  , timeout)

#define COMPAT_GNTTAB_SETUP_TABLE(M, S)                                         \
    M(S, uint16_t,   dom,        , dom)                                         \
    M(S, uint32_t,   nr_frames,  , nr_frames)                                   \
    M(S, int16_t,    status,     , status)                                      \
    M(S, uint32_t,   frame_list, , frame_list)

/* gnttab_copy: a frame number of 4 bytes in each end, 24 bytes in all. */
#define COMPAT_GNTTAB_COPY(M, S)                                                \
    M(S, uint32_t,   src_u,      , source.u)                                    \
    M(S, uint16_t,   src_domid,  , source.domid)                                \
    M(S, uint16_t,   src_offset, , source.offset)                               \
    M(S, uint32_t,   dst_u,      , dest.u)                                      \
    M(S, uint16_t,   dst_domid,  , dest.domid)                                  \
    M(S, uint16_t,   dst_offset, , dest.offset)                                 \
    M(S, uint16_t,   len,        , len)                                         \
    M(S, uint16_t,   flags,      , flags)                                       \
    M(S, int16_t,    status,     , status)

#define COMPAT_GNTTAB_GET_STATUS_FRAMES(M, S)                                   \
    M(S, uint32_t,   nr_frames,  , nr_frames)                                   \
    M(S, uint16_t,   dom,        , dom)                                         \
    M(S, int16_t,    status,     , status)                                      \
    M(S, uint32_t,   frame_list, , frame_list)

/*
 * Laid out alike on both (Xen's CHECK_gnttab_*): checked against the
 * 64-bit structures as well, so the 64-bit code may take them as they are.
 */
#define COMPAT_GNTTAB_MAP_GRANT_REF(M, S)                                       \
    M(S, compat_u64, host_addr,    , host_addr)                                 \
    M(S, uint32_t,   flags,        , flags)                                     \
    M(S, uint32_t,   ref,          , ref)                                       \
    M(S, uint16_t,   dom,          , dom)                                       \
    M(S, int16_t,    status,       , status)                                    \
    M(S, uint32_t,   handle,       , handle)                                    \
    M(S, compat_u64, dev_bus_addr, , dev_bus_addr)

#define COMPAT_GNTTAB_UNMAP_GRANT_REF(M, S)                                     \
    M(S, compat_u64, host_addr,    , host_addr)                                 \
    M(S, compat_u64, dev_bus_addr, , dev_bus_addr)                              \
    M(S, uint32_t,   handle,       , handle)                                    \
    M(S, int16_t,    status,       , status)

#define COMPAT_GNTTAB_UNMAP_AND_REPLACE(M, S)                                   \
    M(S, compat_u64, host_addr,    , host_addr)                                 \
    M(S, compat_u64, new_addr,     , new_addr)                                  \
    M(S, uint32_t,   handle,       , handle)                                    \
    M(S, int16_t,    status,       , status)

/* Every structure, in the order they nest: X(Xen's name, its list). */
#define COMPAT_STRUCTS(X)                                                       \
    X(start_info,         COMPAT_START_INFO)                                    \
    X(vcpu_time_info,     COMPAT_VCPU_TIME_INFO)                                \
    X(arch_vcpu_info,     COMPAT_ARCH_VCPU_INFO)                                \
    X(vcpu_info,          COMPAT_VCPU_INFO)                                     \
    X(arch_shared_info,   COMPAT_ARCH_SHARED_INFO)                              \
    X(shared_info,        COMPAT_SHARED_INFO)                                   \
    X(vcpu_runstate_info, COMPAT_VCPU_RUNSTATE_INFO)                            \
    X(cpu_user_regs,      COMPAT_CPU_USER_REGS)                                 \
    X(trap_info,          COMPAT_TRAP_INFO)                                     \
    X(vcpu_guest_context, COMPAT_VCPU_GUEST_CONTEXT)                            \
    X(multicall_entry,    COMPAT_MULTICALL_ENTRY)                               \
    X(mmuext_op,          COMPAT_MMUEXT_OP)                                     \
    X(callback_register,  COMPAT_CALLBACK_REGISTER)                             \
    X(xen_memory_reservation, COMPAT_XEN_MEMORY_RESERVATION)                    \
    X(xen_add_to_physmap, COMPAT_XEN_ADD_TO_PHYSMAP)                            \
    X(xen_machphys_mapping, COMPAT_XEN_MACHPHYS_MAPPING)                        \
    X(vcpu_register_runstate_memory_area, COMPAT_VCPU_REGISTER_RUNSTATE_MEMORY_AREA) \
    X(vcpu_set_singleshot_timer, COMPAT_VCPU_SET_SINGLESHOT_TIMER)              \
    X(sched_poll,         COMPAT_SCHED_POLL)                                    \
    X(gnttab_setup_table, COMPAT_GNTTAB_SETUP_TABLE)                            \
    X(gnttab_copy,        COMPAT_GNTTAB_COPY)                                   \
    X(gnttab_get_status_frames, COMPAT_GNTTAB_GET_STATUS_FRAMES)                \
    X(gnttab_map_grant_ref, COMPAT_GNTTAB_MAP_GRANT_REF)                        \
    X(gnttab_unmap_grant_ref, COMPAT_GNTTAB_UNMAP_GRANT_REF)                    \
    X(gnttab_unmap_and_replace, COMPAT_GNTTAB_UNMAP_AND_REPLACE)

/* Constants of the 32-bit ABI checked against the headers (below). */
#define COMPAT_CONSTS(X)                                                        \
    X(FLAT_RING1_CS) X(FLAT_RING1_DS) X(FLAT_RING3_CS) X(FLAT_RING3_DS)         \
    X(HYPERVISOR_VIRT_START) X(MACH2PHYS_VIRT_START) X(MACH2PHYS_VIRT_END)

#ifndef __i386__
/* struct compat_<Xen's name>, from its list. */
#define COMPAT_MEMBER(S, type, name, dim, xen) type name dim;
#define COMPAT_DEFINE(sname, list)                                              \
    struct compat_##sname { list(COMPAT_MEMBER, sname) } __aligned(4);
COMPAT_STRUCTS(COMPAT_DEFINE)
#undef COMPAT_DEFINE
#undef COMPAT_MEMBER

#include "compat-layout.h"

/*
 * The 32-bit ABI's constants (arch-x86/xen-x86_32.h), checked against the
 * headers as a 32-bit guest compiles them: the selectors of a 32-bit
 * guest, ring 1 for its kernel and ring 3 for its processes, and the
 * hypervisor's hole from HYPERVISOR_VIRT_START up, where the compat M2P
 * starts (Xen fixes it at 0xF5800000 for every 32-bit guest but dom0).
 */
#define COMPAT_FLAT_RING1_CS            0xe019
#define COMPAT_FLAT_RING1_DS            0xe021
#define COMPAT_FLAT_RING3_CS            0xe02b
#define COMPAT_FLAT_RING3_DS            0xe033
#define COMPAT_HYPERVISOR_VIRT_START    0xF5800000UL
#define COMPAT_MACH2PHYS_VIRT_START     0xF5800000UL
#define COMPAT_MACH2PHYS_VIRT_END       0xF6800000UL    /* the header's; Xen maps to 4 GiB */
#define COMPAT_CHECK_CONST(name)                                                \
    _Static_assert(COMPAT_##name == COMPAT_VAL_##name,                          \
                   "32-bit value of " #name);
COMPAT_CONSTS(COMPAT_CHECK_CONST)
#undef COMPAT_CHECK_CONST

/* Each member where i386 has it, as wide; each structure as large. */
#define COMPAT_CHECK_MEMBER(S, type, name, dim, xen)                            \
    _Static_assert(offsetof(struct compat_##S, name) ==                         \
                       COMPAT_CAT(COMPAT_OFF_, S, _, name) &&                   \
                   sizeof(((struct compat_##S *)0)->name) ==                    \
                       COMPAT_CAT(COMPAT_SZ_, S, _, name),                      \
                   "32-bit layout of " #S "." #xen);
#define COMPAT_CHECK(sname, list)                                               \
    list(COMPAT_CHECK_MEMBER, sname)                                            \
    _Static_assert(sizeof(struct compat_##sname) ==                             \
                       COMPAT_CAT(COMPAT_SIZE_, sname, , ),                     \
                   "32-bit size of " #sname);
COMPAT_STRUCTS(COMPAT_CHECK)
#undef COMPAT_CHECK
#undef COMPAT_CHECK_MEMBER

/* The structures laid out alike: the same on x86-64, member by member. */
#define COMPAT_ALIKE(X)                                                         \
    X(gnttab_map_grant_ref, COMPAT_GNTTAB_MAP_GRANT_REF)                        \
    X(gnttab_unmap_grant_ref, COMPAT_GNTTAB_UNMAP_GRANT_REF)                    \
    X(gnttab_unmap_and_replace, COMPAT_GNTTAB_UNMAP_AND_REPLACE)
#define COMPAT_ALIKE_MEMBER(S, type, name, dim, xen)                            \
    _Static_assert(offsetof(struct compat_##S, name) == offsetof(struct S, xen), \
                   "64-bit layout of " #S "." #xen " differs");
#define COMPAT_ALIKE_CHECK(sname, list)                                         \
    list(COMPAT_ALIKE_MEMBER, sname)                                            \
    _Static_assert(sizeof(struct compat_##sname) == sizeof(struct sname),      \
                   "64-bit size of " #sname " differs");
COMPAT_ALIKE(COMPAT_ALIKE_CHECK)
#undef COMPAT_ALIKE_CHECK
#undef COMPAT_ALIKE_MEMBER
#endif

#endif /* LIB_COMPAT_H */
