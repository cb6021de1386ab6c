/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hypercall/compat.c - the 32-bit PV hypercall entry: int $0x82 from the
 * kernel in ring 1 (x86/entry.S entry_int82), the number in eax and the
 * arguments in ebx, ecx, edx, esi, edi, ebp, the result back in eax
 * (arch-x86/xen-x86_32.h). One explicit switch over Xen's pv32 table
 * (xen/include/hypercall-defs.c, the compat_* handlers): a call whose
 * structures a 32-bit guest lays out as a 64-bit one does goes to the
 * same handler; one whose layout differs is translated here from
 * lib/compat.h, which the build checks against the public headers.
 *
 * What is not translated yet (VCPUOP_initialise) ends the guest with a line
 * naming it, rather than answer it in a 64-bit layout it would misread.
 */
#include "hypercall/handlers.h"
#include "pvops/domain.h"
#include "pvops/evtchn.h"
#include "pvops/grant.h"
#include "pvops/memory.h"
#include "pvops/mm.h"
#include "pvops/time.h"
#include "pvops/traps.h"
#include "pvops/vcpu.h"
#include "x86/uaccess.h"
#include "lib/compat.h"
#include "lib/printk.h"

#ifdef CONFIG_PV32

static __noinline long compat_xen_version(int cmd, unsigned long arg)
{
    /* The one sub-op with a long: where the hypervisor's hole starts. */
    if ( cmd == XENVER_platform_parameters )
    {
        uint32_t virt_start = COMPAT_HYPERVISOR_VIRT_START;

        return copy_to_guest(arg, &virt_start, sizeof(virt_start)) ? -XEN_EFAULT : 0;
    }
    return do_xen_version(cmd, arg);
}

static __noinline long compat_sched_op(int cmd, unsigned long arg)
{
    struct compat_sched_poll p;
    evtchn_port_t ports[128];
    unsigned int n = 0;

    /* sched_shutdown and the rest: no long, no pointer; sched_poll has both. */
    if ( cmd != SCHEDOP_poll )
        return do_sched_op(cmd, arg);
    if ( copy_from_guest(&p, arg, sizeof(p)) )
        return -XEN_EFAULT;
    if ( p.nr_ports > ARRAY_SIZE(ports) )
        return -XEN_EINVAL;
    while ( n < p.nr_ports &&
            !copy_from_guest(&ports[n], p.ports + n * sizeof(*ports), sizeof(*ports)) )
        n++;
    return evtchn_poll(current_vcpu(), ports, p.nr_ports, n, p.timeout);
}

/* compat_set_trap_table: 8-byte entries (cs, 32-bit eip), ended by a zero eip. */
static __noinline long compat_set_trap_table(unsigned long list)
{
    struct vcpu *v = current_vcpu();
    struct compat_trap_info cti;
    long rc;

    if ( !list )
    {
        vcpu_clear_traps(v);
        return 0;
    }
    for ( ; ; )
    {
        struct trap_info ti;

        if ( copy_from_guest(&cti, list, sizeof(cti)) )
            return -XEN_EFAULT;
        if ( cti.address == 0 )
            return 0;
        ti = (struct trap_info){
            .vector = cti.vector, .flags = cti.flags, .cs = cti.cs, .address = cti.address,
        };
        if ( (rc = vcpu_set_trap(v, &ti)) )
            return rc;
        list += sizeof(cti);
        if ( hypercall_preempt_check() )
        {
            const unsigned long a[5] = { list };

            return hypercall_create_continuation(__HYPERVISOR_set_trap_table, a);
        }
    }
}

/* compat_set_callbacks: the event and failsafe callbacks, each cs:eip. */
static __noinline long compat_set_callbacks(unsigned long event_cs, unsigned long event_eip,
                                 unsigned long failsafe_cs, unsigned long failsafe_eip)
{
    struct vcpu *v = current_vcpu();

    vcpu_register_callback32(v, CALLBACKTYPE_event, event_cs, event_eip,
                             CALLBACKF_mask_events);
    vcpu_register_callback32(v, CALLBACKTYPE_failsafe, failsafe_cs, failsafe_eip, 0);
    return 0;
}

static __noinline long compat_callback_op(int cmd, unsigned long arg)
{
    struct vcpu *v = current_vcpu();

    switch ( cmd )
    {
    case CALLBACKOP_register:
    {
        struct compat_callback_register reg;

        if ( copy_from_guest(&reg, arg, sizeof(reg)) )
            return -XEN_EFAULT;
        return vcpu_register_callback32(v, reg.type, reg.cs, reg.eip, reg.flags);
    }
    case CALLBACKOP_unregister:
    {
        struct callback_unregister unreg;       /* no long: alike */

        if ( copy_from_guest(&unreg, arg, sizeof(unreg)) )
            return -XEN_EFAULT;
        return vcpu_unregister_callback(v, unreg.type);
    }
    default:
        /* Xen's compat_callback_op: -EINVAL, where do_callback_op has -ENOSYS. */
        return -XEN_EINVAL;
    }
}

/* nmi_op: xennmi_callback is two longs, of 4 bytes here. */
static __noinline long compat_nmi_op(unsigned int cmd, unsigned long arg)
{
    uint32_t cb[2];

    if ( cmd != XENNMI_register_callback )
        return do_nmi_op(cmd, arg);
    if ( copy_from_guest(cb, arg, sizeof(cb)) )
        return -XEN_EFAULT;
    return vcpu_register_callback(current_vcpu(), CALLBACKTYPE_nmi, cb[0], 0);
}

static long compat_dispatch(unsigned int op, const unsigned long a[6]);

/*
 * memory_op (Xen's compat_memory_op): the queries whose arguments have no
 * long go to do_memory_op; the M2P's place is the 4-byte one's; memory_map
 * and set_memory_map carry 32-bit handles, as do reservation changes,
 * whose extents are 4 bytes each.
 */
#define COMPAT_M2P_VIRT_END 0xFFE00000U         /* Xen's MACH2PHYS_COMPAT_VIRT_END */

static __noinline long compat_memory_op(unsigned long cmd, unsigned long arg)
{
    switch ( cmd & 0x3f )
    {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
    {
        struct compat_xen_memory_reservation res;
        struct memop_reservation r;

        if ( copy_from_guest(&res, arg, sizeof(res)) )
            return cmd >> 6;
        r = (struct memop_reservation){
            res.extent_start, res.nr_extents, res.extent_order, res.mem_flags,
            res.domid, sizeof(uint32_t),
        };
        return memory_reservation_change(cmd & 0x3f, cmd >> 6, arg, &r);
    }
    case XENMEM_machphys_mapping:
    {
        struct compat_xen_machphys_mapping m = {
            .v_start = COMPAT_MACH2PHYS_VIRT_START,
            .v_end = COMPAT_M2P_VIRT_END,
            .max_mfn = ((COMPAT_M2P_VIRT_END - COMPAT_MACH2PHYS_VIRT_START) >> 2) - 1,
        };

        return copy_to_guest(arg, &m, sizeof(m)) ? -XEN_EFAULT : 0;
    }
    case XENMEM_memory_map:
    {
        struct e820_entry e820;
        uint32_t map[2];            /* nr_entries, buffer */

        if ( copy_from_guest(map, arg, sizeof(map)) )
            return -XEN_EFAULT;
        if ( map[0] < 1 )
            return -XEN_EINVAL;
        memory_map(&e820);
        if ( copy_to_guest(map[1], &e820, sizeof(e820)) )
            return -XEN_EFAULT;
        map[0] = 1;
        return copy_to_guest(arg, map, sizeof(map[0])) ? -XEN_EFAULT : 0;
    }
    case XENMEM_set_memory_map:
    {
        uint32_t fmap[3];           /* domid (and padding), nr_entries, buffer */

        if ( copy_from_guest(fmap, arg, sizeof(fmap)) )
            return -XEN_EFAULT;
        if ( fmap[1] > 1024 )       /* Xen's E820MAX */
            return -XEN_EINVAL;
        return memory_set_memory_map((domid_t)fmap[0]);
    }
    default:
        return do_memory_op(cmd, arg);
    }
}

/*
 * multicall with 32-byte entries (op, result, six 32-bit arguments), each
 * through the 32-bit table: as do_multicall (hypercall/dispatch.c), results
 * stored 32 bits wide, an iret ending the batch.
 */
static __noinline long compat_multicall(unsigned long list, unsigned int nr_calls)
{
    struct vcpu *v = current_vcpu();
    struct compat_multicall_entry mc;

    if ( v->in_multicall )
        return -XEN_EINVAL;
    v->in_multicall = true;
    for ( unsigned int i = 0; i < nr_calls; i++, list += sizeof(mc) )
    {
        unsigned long args[6];

        if ( i && hypercall_preempt_check() )
        {
            const unsigned long a[5] = { list, nr_calls - i };

            v->in_multicall = false;
            return hypercall_create_continuation(__HYPERVISOR_multicall, a);
        }
        if ( copy_from_guest(&mc, list, sizeof(mc)) )
            break;
        for ( unsigned int k = 0; k < 6; k++ )
            args[k] = mc.args[k];
        if ( mc.op == __HYPERVISOR_iret )
        {
            mc.result = pv_iret32(guest_entry_frame());
            copy_to_guest(list + offsetof(struct compat_multicall_entry, result),
                          &mc.result, sizeof(mc.result));
            v->in_multicall = false;
            return (int)mc.result;
        }
        mc.result = compat_dispatch(mc.op, args);
        mm_flush_if_needed();
        if ( v->cont_pending )
        {
            const unsigned long a[5] = { list, nr_calls - i };

            /* What is left of the entry goes back into it, and the batch on from it. */
            v->cont_pending = false;
            for ( unsigned int k = 0; k < 5; k++ )
                mc.args[k] = v->cont_args[k];
            if ( copy_to_guest(list + offsetof(struct compat_multicall_entry, args),
                               mc.args, sizeof(mc.args)) )
                break;
            v->in_multicall = false;
            return hypercall_create_continuation(__HYPERVISOR_multicall, a);
        }
        if ( copy_to_guest(list + offsetof(struct compat_multicall_entry, result),
                           &mc.result, sizeof(mc.result)) )
            break;
        if ( i + 1 == nr_calls )
        {
            v->in_multicall = false;
            return 0;
        }
    }
    v->in_multicall = false;
    return nr_calls ? -XEN_EFAULT : 0;
}

/*
 * Xen's compat_handle_okay on a frame list of nr entries of size bytes: nr
 * below 4 GiB / size, and the whole list below the hole.
 */
static bool compat_list_ok(uint32_t list, uint32_t nr, uint32_t size)
{
    return nr < ~0U / size && guest_addr_ok((unsigned long)list + (nr ? nr * size - 1 : 0));
}

/*
 * grant_table_op (Xen's compat_grant_table_op): map, unmap, unmap_and_replace,
 * swap, query_size, get/set_version and cache_flush are laid out alike
 * (lib/compat.h checks it) and go to do_grant_table_op; setup_table,
 * get_status_frames and copy carry 32-bit handles or frame numbers and are
 * translated here, one entry at a time. Xen's compat layer runs its loop
 * over count for setup_table and get_status_frames too: count 0 is 0, not
 * the native -EINVAL.
 */
#define COMPAT_COPY_CHUNK (2 * PAGE_SIZE / sizeof(struct gnttab_copy))

static __noinline long compat_grant_table_op(unsigned int cmd, unsigned long uop, unsigned int count)
{
    switch ( cmd )
    {
    case GNTTABOP_setup_table:
    {
        struct compat_gnttab_setup_table c;
        struct gnttab_setup_table op;
        long rc;

        if ( count == 0 )
            return 0;
        if ( count != 1 )
            return -XEN_EINVAL;
        if ( copy_from_guest(&c, uop, sizeof(c)) )
            return -XEN_EFAULT;
        if ( !compat_list_ok(c.frame_list, c.nr_frames, sizeof(uint32_t)) )
            return -XEN_EFAULT;
        op = (struct gnttab_setup_table){ .dom = c.dom, .nr_frames = c.nr_frames };
        rc = grant_setup_table(&op, c.frame_list);
        if ( !rc && copy_to_guest(uop + offsetof(struct compat_gnttab_setup_table, status),
                                  &op.status, sizeof(op.status)) )
            return -XEN_EFAULT;
        return rc;
    }

    case GNTTABOP_get_status_frames:
    {
        struct compat_gnttab_get_status_frames c;
        struct gnttab_get_status_frames op;
        long rc;

        if ( count == 0 )
            return 0;
        if ( count != 1 )
            return -XEN_EINVAL;
        if ( copy_from_guest(&c, uop, sizeof(c)) )
            return -XEN_EFAULT;
        if ( !compat_list_ok(c.frame_list, c.nr_frames, sizeof(uint64_t)) )
            return -XEN_EFAULT;
        op = (struct gnttab_get_status_frames){ .nr_frames = c.nr_frames, .dom = c.dom };
        rc = grant_get_status_frames(&op, c.frame_list);
        if ( !rc && copy_to_guest(uop + offsetof(struct compat_gnttab_get_status_frames,
                                                 status),
                                  &op.status, sizeof(op.status)) )
            return -XEN_EFAULT;
        return rc;
    }

    case GNTTABOP_copy:
        if ( (int)count < 0 )
            return -XEN_EINVAL;
        if ( !guest_addr_ok(uop) )
            return -XEN_EFAULT;
        for ( unsigned int i = 0; i < count; i++, uop += sizeof(struct compat_gnttab_copy) )
        {
            struct compat_gnttab_copy c;
            struct gnttab_copy op;
            long rc;

            if ( i && hypercall_preempt_check() )
            {
                const unsigned long a[5] = { cmd, uop, count - i };

                return hypercall_create_continuation(__HYPERVISOR_grant_table_op, a);
            }
            /*
             * Xen translates the ops a chunk at a time (as many native ops as
             * its 8 KiB translation area holds: 204) and runs none of a chunk
             * whose copy-in faults.
             */
            if ( i % COMPAT_COPY_CHUNK == 0 )
                for ( unsigned int j = 1; j < COMPAT_COPY_CHUNK && i + j < count; j++ )
                    if ( copy_from_guest(&c, uop + j * sizeof(c), sizeof(c)) )
                        return -XEN_EFAULT;
            if ( copy_from_guest(&c, uop, sizeof(c)) )
                return -XEN_EFAULT;
            op = (struct gnttab_copy){
                .source = { .domid = c.src_domid, .offset = c.src_offset },
                .dest = { .domid = c.dst_domid, .offset = c.dst_offset },
                .len = c.len, .flags = c.flags,
            };
            /* A ref or a frame: the union's widest (a frame) zero-extends both. */
            op.source.u.gmfn = c.src_u;
            op.dest.u.gmfn = c.dst_u;
            if ( (rc = grant_copy(&op)) )
                return rc;
            if ( copy_to_guest(uop + offsetof(struct compat_gnttab_copy, status),
                               &op.status, sizeof(op.status)) )
                return -XEN_EFAULT;
        }
        return 0;

    default:
        return do_grant_table_op(cmd, uop, count);
    }
}

/*
 * The calls whose arguments a 32-bit guest passes otherwise: translated
 * here. Every other call of Xen's 32-bit table takes its arguments as the
 * 64-bit one does (no long, no pointer inside a structure, or read in
 * place by a handler that knows the width: set_gdt, vcpu_op, physdev_op,
 * mmuext_op), and is the 64-bit dispatch's, numbers it has no handler
 * for included.
 */
static long compat_dispatch(unsigned int op, const unsigned long a[6])
{
    switch ( op )
    {
    case __HYPERVISOR_multicall:
        return compat_multicall(a[0], a[1]);
    case __HYPERVISOR_xen_version:
        return compat_xen_version(a[0], a[1]);
    case __HYPERVISOR_sched_op:
        return compat_sched_op(a[0], a[1]);
    case __HYPERVISOR_set_timer_op:
        /* The 64-bit timeout in two registers, low half first. */
        return do_set_timer_op(((uint64_t)a[1] << 32) | a[0]);
    case __HYPERVISOR_set_trap_table:
        return compat_set_trap_table(a[0]);
    case __HYPERVISOR_memory_op:
        return compat_memory_op(a[0], a[1]);
    case __HYPERVISOR_update_descriptor:
        /* The machine address and the descriptor, each in two halves. */
        return do_update_descriptor(((uint64_t)a[1] << 32) | a[0],
                                    ((uint64_t)a[3] << 32) | a[2]);
    case __HYPERVISOR_set_segment_base:
        return -XEN_ENOSYS;         /* a 64-bit guest's alone */
    case __HYPERVISOR_grant_table_op:
        return compat_grant_table_op(a[0], a[1], a[2]);
    case __HYPERVISOR_set_callbacks:
        return compat_set_callbacks(a[0], a[1], a[2], a[3]);
    case __HYPERVISOR_callback_op:
        return compat_callback_op(a[0], a[1]);
    case __HYPERVISOR_nmi_op:
        return compat_nmi_op(a[0], a[1]);
    case __HYPERVISOR_update_va_mapping:
        /* The 64-bit PTE in two arguments, low half first. */
        return do_update_va_mapping(a[0], ((uint64_t)a[2] << 32) | a[1], a[3]);
    case __HYPERVISOR_update_va_mapping_otherdomain:
        return do_update_va_mapping_otherdomain(a[0], ((uint64_t)a[2] << 32) | a[1],
                                                a[3], a[4]);
    default:
        return hypercall_dispatch(op, a);
    }
}

void compat_hypercall(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    unsigned int op = regs->rax;
    unsigned long a[6] = {
        (uint32_t)regs->rbx, (uint32_t)regs->rcx, (uint32_t)regs->rdx,
        (uint32_t)regs->rsi, (uint32_t)regs->rdi, (uint32_t)regs->rbp,
    };
    long rc;

    pv_time_update(v);
    if ( op == __HYPERVISOR_iret )
    {
        /* The whole context is the frame's, eax included; no lock. */
        regs->rax = (uint32_t)pv_iret32(regs);
        pv_deliver_events(regs);
        return;
    }
    if ( hypercall_lockless(op, a[0]) )
        rc = compat_dispatch(op, a);
    else
    {
        domain_lock();
        rc = compat_dispatch(op, a);
        domain_unlock();
    }
    /* eax alone: the upper halves of a 32-bit guest's registers stay its own. */
    regs->rax = (uint32_t)rc;

    if ( v->cont_pending )
    {
        /* int $0x82 again (2 bytes) with what is left to do. */
        v->cont_pending = false;
        regs->rax = (uint32_t)v->cont_op;
        regs->rbx = (uint32_t)v->cont_args[0];
        regs->rcx = (uint32_t)v->cont_args[1];
        regs->rdx = (uint32_t)v->cont_args[2];
        regs->rsi = (uint32_t)v->cont_args[3];
        regs->rdi = (uint32_t)v->cont_args[4];
        regs->rip -= 2;
    }
    pv_deliver_events(regs);
    if ( trace_hypercalls )
        pr_info("d%u hypercall32 %u(%#lx, %#lx, %#lx, %#lx, %#lx) = %ld "
                "(eip %#lx esp %#lx)\n", dom.domid, op, a[0], a[1], a[2], a[3],
                a[4], rc, regs->rip, regs->rsp);
}
#endif /* CONFIG_PV32 */
