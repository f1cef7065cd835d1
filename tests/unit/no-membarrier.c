// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * no-membarrier: run a program with membarrier(2) refused (ENOSYS), as a
 * seccomp filter in a container or a hardened unit would, so that
 * urcu-memb falls back to fences in its readers.
 *
 *   no-membarrier PROGRAM [ARGS...]
 *
 * Sets no_new_privs (so no privilege is needed for the filter), installs a
 * BPF filter that makes every membarrier call fail with ENOSYS and lets
 * every other system call through, then execs PROGRAM (searched in PATH).
 * The filter is inherited by its threads and children.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_membarrier
#error "__NR_membarrier is not defined: kernel headers older than 4.3"
#endif

/* The audit architecture of this build, to ignore calls from another ABI. */
#if defined(__x86_64__) && defined(__ILP32__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64	/* x32: same arch, flagged numbers */
#elif defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__arm__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_ARM
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_S390X
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_RISCV64
#endif

static int install_filter(void)
{
	struct sock_filter prog[] = {
#ifdef NATIVE_AUDIT_ARCH
		/* Another ABI's numbers mean other calls: let them through. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_membarrier, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = {
		.len = sizeof(prog) / sizeof(prog[0]),
		.filter = prog,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		fprintf(stderr, "no-membarrier: prctl(PR_SET_NO_NEW_PRIVS): %s\n", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog)) {
		fprintf(stderr, "no-membarrier: installing the seccomp filter: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: no-membarrier PROGRAM [ARGS...]\n"
				"Run PROGRAM with membarrier(2) failing with ENOSYS.\n");
		return 2;
	}
	if (install_filter())
		return 125;
	execvp(argv[1], argv + 1);
	fprintf(stderr, "no-membarrier: cannot run '%s': %s\n", argv[1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
