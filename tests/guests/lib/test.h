/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/guests/lib/test.h - what a test kernel's main.c includes.
 *
 * A test defines test_title and test_main(); the framework starts it with
 * the console up and a trap table that reports any exception, and calls
 * xtf_exit() if test_main() returns.
 */
#ifndef TESTS_GUESTS_LIB_TEST_H
#define TESTS_GUESTS_LIB_TEST_H

#include "tests/guests/lib/abi.h"
#include "tests/guests/lib/hypercall.h"
#include "tests/guests/lib/layout.h"
#include "tests/guests/lib/report.h"
#include "lib/string.h"
#include "lib/vsnprintf.h"

extern const char test_title[];
void test_main(void);

/* The start_info page the builder gave us (%rsi at entry). */
extern const start_info_t *start_info;

/*
 * vCPU 0's vcpu_info onto page (page aligned, in this image), and the event
 * callback at handler, entered with events masked. (Xen crashes a domain
 * that unmasks events with no callback.) 0, or the failing call's error.
 */
long guest_events_init(void *page, const void *handler);

/* Nanoseconds of system time, from the time record in vcpu (pvclock). */
uint64_t guest_now_ns(const volatile vcpu_info_t *vcpu);

/*
 * Assembly for an exception entry: save the registers C may clobber (bar
 * rcx and r11, which Xen's bounce frame already holds), call fn(frame) on
 * an aligned stack with frame the words pushed before this sequence (the
 * vector if the stub pushed one, then the bounce frame), and restore them.
 */
#ifdef __x86_64__
#define GUEST_CALL_C_HANDLER(fn)                                        \
    "    push %rax\n"                                                   \
    "    push %rdx\n"                                                   \
    "    push %rsi\n"                                                   \
    "    push %rdi\n"                                                   \
    "    push %r8\n"                                                    \
    "    push %r9\n"                                                    \
    "    push %r10\n"                                                   \
    "    push %rbx\n"                                                   \
    "    mov  %rsp, %rbx\n"                                             \
    "    lea  64(%rsp), %rdi\n"                                         \
    "    and  $~15, %rsp\n"                                             \
    "    call " #fn "\n"                                                \
    "    mov  %rbx, %rsp\n"                                             \
    "    pop  %rbx\n"                                                   \
    "    pop  %r10\n"                                                   \
    "    pop  %r9\n"                                                    \
    "    pop  %r8\n"                                                    \
    "    pop  %rdi\n"                                                   \
    "    pop  %rsi\n"                                                   \
    "    pop  %rdx\n"                                                   \
    "    pop  %rax\n"
#endif

#endif /* TESTS_GUESTS_LIB_TEST_H */
