/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The auth guard: failed logins counted per initiator name and per source
 * address, so that guessing a CHAP secret online is slow and soon stopped
 * (docs/configuration.md, "Failed logins").
 *
 * An initiator name is counted at the target it logs in to (or for
 * discovery): that is whose secret a guess tests, and a host with a wrong
 * secret for one target keeps its logins to the others. An address is
 * counted by the different names and targets that failed from it: one
 * that tries many (a guesser that changes names to dodge the count of
 * each, the discovery secret tried under many names) is held, a host with
 * one wrong secret is not.
 *
 * Each has a run of failures, forgotten lockout_ms after the last one, or
 * (a name) at a login that authenticates. The k-th failure of a run is
 * answered after delay_ms * 2^(k-1), at most delay_max_ms; at
 * lockout_failures in a run the name at that target, or the address, is
 * locked out for lockout_ms: its CHAP exchanges are refused (after
 * delay_max_ms) without a look at what they prove, so that no guess is
 * tested meanwhile. The log has one line a run: its first failure, with
 * the reason, is the caller's to log (authguard_failed says which); the
 * guard logs the lockout, its end and a run's end with the counts.
 *
 * Fed events and the time, it answers how long to wait; it keeps a bounded
 * table (AUTHGUARD_MAX entries, the least recent unlocked one makes room).
 * Thread-safe: every I/O thread's logins use one guard.
 */
#ifndef PORTICO_TARGET_ISCSI_AUTHGUARD_H
#define PORTICO_TARGET_ISCSI_AUTHGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/iscsi_name.h"

#define AUTHGUARD_MAX 4096

struct authguard;

struct authguard_policy {
	bool enabled; /* false: nothing is counted, every failure is logged by the caller */
	uint32_t delay_ms;
	uint32_t delay_max_ms;
	uint32_t lockout_failures;
	uint32_t lockout_ms;
};

/* One name at a target, or one address, with failures, as authguard_list() reports it. */
struct authguard_info {
	char key[ISCSI_NAME_MAX + 1]; /* the initiator name, or the address */
	char target[ISCSI_NAME_MAX + 1]; /* a name's target; "" for discovery */
	bool address;
	uint32_t failures; /* in the current run */
	uint32_t refused; /* logins refused while locked out, this run */
	int64_t locked_ms; /* what is left of its lockout; 0: not locked out */
	int64_t last_ms; /* how long ago its last failure was */
};

/* Totals since the guard was made. */
struct authguard_stats {
	uint64_t failures; /* failed authentications counted */
	uint64_t lockouts; /* names and addresses locked out */
	uint64_t refused; /* logins refused because of a lockout */
};

/* A new guard with policy p. 0 or -ENOMEM; the caller frees it with authguard_destroy(). */
int authguard_create(const struct authguard_policy *p, struct authguard **out);
void authguard_destroy(struct authguard *g);
/* A new policy, from now on. Turning the guard off forgets every run and lockout. */
void authguard_set_policy(struct authguard *g, const struct authguard_policy *p);
void authguard_get_policy(struct authguard *g, struct authguard_policy *p);

/*
 * Whether the CHAP exchange of a login of initiator to target (NULL or "":
 * discovery) from address must be refused now: the name at that target,
 * or the address, is locked out. Then the refusal is counted, *delay_ms is
 * how long to hold its answer and, when who is not NULL, who says which is
 * locked ("initiator '...' at '...'" or "address ..."). NULL g: never.
 */
bool authguard_locked(struct authguard *g, const char *initiator, const char *target,
		      const char *address, int64_t now_ms, uint32_t *delay_ms, char *who,
		      size_t wholen);

/*
 * A login of initiator ("" when it named none) to target from address
 * failed authentication. Returns how long to hold its answer; *log is set
 * when the caller should log this failure with its reason (the first of a
 * run, or the guard is off). NULL g: no delay, logged.
 */
uint32_t authguard_failed(struct authguard *g, const char *initiator, const char *target,
			  const char *address, int64_t now_ms, bool *log);

/*
 * A login of initiator to target proved its secret: the name's run there is
 * over (the address's is not: one right secret does not make an address's
 * other tries honest).
 */
void authguard_succeeded(struct authguard *g, const char *initiator, const char *target,
			 int64_t now_ms);

/* Ends the lockouts and forgets the runs whose time is over, saying so in the log. */
void authguard_sweep(struct authguard *g, int64_t now_ms);

/*
 * Fills out[0..max) with the names and addresses that have failures or a
 * lockout, locked ones first; returns how many there are (may exceed max).
 */
size_t authguard_list(struct authguard *g, int64_t now_ms, struct authguard_info *out,
		      size_t max);
void authguard_get_stats(struct authguard *g, struct authguard_stats *out);

#endif
