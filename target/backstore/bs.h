/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Backstores: the storage behind a logical unit. Every kind (file, block,
 * null) implements one ops table, registered at start-up. I/O is
 * asynchronous: submit queues the request and its callback runs later on the
 * submitting thread's event loop (never inside submit). libaio serves stores
 * opened O_DIRECT; a small worker pool serves buffered stores and the
 * operations libaio cannot do (fallocate, discard, fsync).
 */
#ifndef PORTICO_TARGET_BS_H
#define PORTICO_TARGET_BS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct ev_loop;
struct bs_dev;
struct bs_shared;

/*
 * What a shared home (bs_ops.shared_open) calls back: the state's owner,
 * which knows what the bytes mean. arg is shared_open's; req is
 * bs_shared_update's. Each runs on a thread of the home's own, or
 * librados's, never inside the call that set it off.
 */
struct bs_shared_cbs {
	/*
	 * One attempt of req on the current state cur: 1 with the new state in
	 * *next and a note for every server in *note (both malloc'd, the home
	 * frees them), 0 when nothing is to be stored, or -errno.
	 */
	int (*apply)(void *req, const uint8_t *cur, size_t curlen, uint8_t **next,
		     size_t *nextlen, uint8_t **note, size_t *notelen);
	/* req has ended: err 0, its last apply holds (stored, or nothing to store). Once. */
	void (*done)(void *req, int err);
	/*
	 * A stored change, version ver, for this server to apply: 0 when
	 * applied, 1 when acked(ctx) runs later (once applied), -errno when it
	 * could not be (the home then reads the state again: stale, replace).
	 */
	int (*deliver)(void *arg, uint64_t ver, const uint8_t *state, size_t len,
		       const uint8_t *note, size_t notelen, void (*acked)(void *ctx), void *ctx);
	/* The whole state, read at open or again after a lost watch. 0 or -errno. */
	int (*replace)(void *arg, uint64_t ver, const uint8_t *state, size_t len);
	/*
	 * At open, when no other server serves the state (none answered): true
	 * to keep it, false to start again from the initial state. NULL: kept.
	 */
	bool (*keep)(void *arg, const uint8_t *state, size_t len);
	/* Changes may have been missed: serve nothing from the state until replace. */
	void (*stale)(void *arg);
	/*
	 * After a change was stored, n other servers did not say within the
	 * bound that they applied it (they may serve the old state until
	 * their own watch fails). The hook for fencing them; NULL: logged.
	 */
	void (*unacked)(void *arg, unsigned int n);
};

/*
 * Queues req on a shared home: the home reads the state, calls apply, stores
 * the result guarded by the version read (reading and applying again after
 * a lost race, a bounded number of times), delivers it to this server and
 * then to the others, and calls done. 0, or -errno and done never runs.
 */
int bs_shared_update(struct bs_shared *sh, void *req);
/* Closes a shared home: no callback runs after it returns. */
void bs_shared_close(struct bs_shared *sh);

/* An LU's identity as a store keeps it (bs_ops.identity). */
struct bs_identity {
	char serial[33]; /* VPD 0x80, printable ASCII */
	uint8_t naa[8]; /* VPD 0x83 NAA designator */
};

enum bs_op {
	BS_OP_READ,
	BS_OP_WRITE,
	BS_OP_FLUSH, /* make every completed write durable (SYNCHRONIZE CACHE) */
	BS_OP_UNMAP, /* deallocate [offset, offset+len): punch hole / BLKDISCARD; reads return zeroes */
	BS_OP_WRITE_ZEROES, /* [offset, offset+len) reads back as zeroes, stays allocated */
	/*
	 * Atomically: compare [offset, offset+len) with the first len bytes of
	 * the iovecs and, only if equal, write the next len bytes there (the
	 * iovecs hold 2 * len). Only where the store says so (bs_dev.caw_max).
	 * A mismatch completes with -EILSEQ and io->miscompare set.
	 */
	BS_OP_COMPARE_WRITE,
	/*
	 * Every block of [offset, offset+len) becomes the one block the
	 * iovecs hold (block_size bytes): WRITE SAME done by the store, where
	 * it says so (bs_dev.write_same).
	 */
	BS_OP_WRITE_SAME,
};

struct bs_io {
	enum bs_op op;
	uint64_t offset; /* bytes */
	uint64_t len; /* bytes; for READ/WRITE the sum of the iovecs (COMPARE_WRITE: half of it) */
	struct iovec *iov;
	int iovcnt;
	bool fua; /* WRITE: durable before completion (SBC-3 FUA) */
	int result; /* set before cb runs: 0 or -errno */
	/* COMPARE_WRITE that ended -EILSEQ: offset of the first differing byte from offset */
	uint64_t miscompare;
	void (*cb)(struct bs_io *io);
	void *arg;
	/* private to the backstore layer */
	struct bs_dev *dev;
	struct bs_io *next;
	int retries;
	struct bs_thread *thread; /* the submitting thread: where cb runs */
	int (*work)(struct bs_io *io); /* worker pool: the blocking operation */
	uint64_t done; /* bytes moved so far (short transfers are resubmitted) */
};

struct bs_params {
	const char *name; /* the backstore's configured name */
	const char *path; /* file or device; NULL for null */
	uint64_t size; /* bytes; 0: the store's own size. file: creates or extends. */
	bool thin; /* file: create sparse; UNMAP allowed */
	bool write_back; /* file: writes complete before they are durable (FLUSH makes them so) */
	bool readonly;
	uint32_t block_size; /* 0: the store's own (block devices) or 512 */
	/*
	 * The physical block: a power-of-two multiple of block_size
	 * (bs_phys_block_size_check). 0: the device's own (BLKPBSZGET) for
	 * block devices, block_size for the others.
	 */
	uint32_t phys_block_size;
	bool removable; /* the LU reports removable media (RMB) and takes load/eject */
	bool buffered; /* file: use the page cache even where O_DIRECT works (worker pool) */
	/* rbd: path is "POOL/IMAGE"; the cluster's configuration file and the client's id */
	const char *ceph_conf; /* NULL: librados's default search */
	const char *ceph_client; /* "admin" or "client.admin"; NULL: admin */
	/* rbd: a gateway group's name and this gateway's (docs/rbd.md, "Gateway groups"); NULL: none */
	const char *gateway_group;
	const char *gateway_name;
	const char *gateway_lease_ms; /* the lease's duration in milliseconds; NULL or "": 15000 */
	/* rados_osd_op_timeout in milliseconds; NULL or "": a third of the lease, or 30000 */
	const char *ceph_op_timeout_ms;
};

/*
 * An LU's ownership in a gateway group, as the control operations show it
 * (bs_ops.owner): this gateway, the owner it knows, its machine's state,
 * the LU's ALUA state on this gateway, and the last events, oldest first.
 */
#define BS_OWNER_NOTES 16
#define BS_OWNER_TPGS 32
struct bs_owner_info {
	char group[64];
	char gateway[64];
	char owner[64]; /* "" while nobody is known to own it */
	char state[16];
	uint8_t alua; /* SCSI_ALUA_* */
	char member_state[16]; /* this gateway's membership: "" without one */
	/* the LU's port groups on every member, as REPORT TARGET PORT GROUPS gives them */
	unsigned int ntpgs;
	struct {
		uint16_t id;
		uint8_t alua;
		char gateway[64];
	} tpgs[BS_OWNER_TPGS];
	unsigned int nnotes;
	struct {
		int64_t when; /* CLOCK_REALTIME seconds */
		char text[96];
	} notes[BS_OWNER_NOTES];
};

/* One target port group of an LU across a gateway group (bs_ops.alua_groups). */
struct bs_alua_tpg {
	uint16_t id;
	uint8_t state; /* SCSI_ALUA_* */
};

struct bs_dev;
/*
 * Called when the store finds that its size changed under it (an rbd image
 * resized by another client), from a thread of the store's own: thread-safe
 * work only (raise a unit attention). dev->size is already the new size.
 */
typedef void (*bs_size_cb)(struct bs_dev *dev, void *arg);

struct bs_dev {
	const struct bs_ops *ops;
	char name[64];
	char path[4096];
	uint64_t size; /* bytes, a multiple of block_size */
	uint32_t block_size;
	uint32_t phys_block_size; /* a power-of-two multiple of block_size */
	bool removable;		  /* as configured (bs_params.removable) */
	bool thin; /* can deallocate (UNMAP) and report allocation (lba_status) */
	bool write_back; /* a FLUSH is needed for durability */
	bool readonly;
	bool unmap_zeroes; /* blocks read back as zeroes after UNMAP (SBC-4 LBPRZ) */
	/*
	 * COMPARE_WRITE: the most bytes the store compares and writes
	 * atomically, a range that must not cross a multiple of it; 0: none
	 * (the SCSI engine reads, compares and writes itself).
	 */
	uint32_t caw_max;
	bool write_same; /* takes BS_OP_WRITE_SAME */
	bs_size_cb size_changed; /* set by the owner after open, before I/O; NULL: none */
	void *size_changed_arg;
	/* the LU's ALUA state on this gateway changed (the store's alua op); NULL: none */
	bs_size_cb alua_changed;
	void *alua_changed_arg;
	void *priv;
	/* private to the backstore layer: bs_open's err buffer while ops->open runs */
	char *err;
	size_t errlen;
};

struct bs_ops {
	const char *name; /* "file", "block", "lvm", "null" */
	/* Opens the store described by p into dev (already zeroed, ops and name set). 0 or -errno. */
	int (*open)(struct bs_dev *dev, const struct bs_params *p);
	void (*close)(struct bs_dev *dev);
	/* Queues io. 0: io->cb will run later on this thread's loop. -errno: no callback. */
	int (*submit)(struct bs_dev *dev, struct bs_io *io);
	/*
	 * Allocation status at offset, synchronous (metadata only): *mapped, and
	 * *len the length of the run with that status from offset. -EOPNOTSUPP
	 * when the store cannot tell (then everything is reported mapped).
	 */
	int (*lba_status)(struct bs_dev *dev, uint64_t offset, bool *mapped, uint64_t *len);
	/* Grows or shrinks the store to new_size bytes (0 for block: re-read the device size). */
	int (*resize)(struct bs_dev *dev, uint64_t new_size);
	/*
	 * A store shared by several servers keeps the LU's identity with the
	 * data, so that each of them reports the same one. On entry, id is
	 * what the configuration gives (pinned or derived); the store's
	 * identity, when it has one, replaces it (*adopted true), else the
	 * given one is stored there. -EEXIST when pinned and the store holds
	 * another; err (errlen bytes) says why it failed. NULL: the
	 * configuration's identity is the LU's.
	 */
	int (*identity)(struct bs_dev *dev, struct bs_identity *id, bool pinned, bool *adopted,
			char *err, size_t errlen);
	/*
	 * A store shared by several servers keeps state they share beside the
	 * data (an rbd image: a RADOS object, rbd_pr.c): opens the one called
	 * name, creating it with init when it does not exist yet. NULL: the
	 * store has no such home. See struct bs_shared_cbs.
	 */
	int (*shared_open)(struct bs_dev *dev, const char *name, const uint8_t *init, size_t initlen,
			   const struct bs_shared_cbs *cbs, void *arg, struct bs_shared **out);
	/*
	 * Optional: true when the store itself decides the LU's asymmetric
	 * access state on this gateway (rbd in a gateway group: its owner),
	 * *state then SCSI_ALUA_*. Lock-free; any thread.
	 */
	bool (*alua)(const struct bs_dev *dev, uint8_t *state);
	/*
	 * Optional, with alua: an explicit transition asked of this gateway's
	 * port (SET TARGET PORT GROUPS): 0 when the store takes it (it happens
	 * later: the state changes and ASYMMETRIC ACCESS STATE CHANGED follows),
	 * -EINVAL for a state it does not take there.
	 */
	int (*alua_request)(struct bs_dev *dev, uint8_t state);
	/*
	 * Optional, with alua: the target port groups that show the LU on
	 * this gateway (tags[0..n)), which the store registers with its
	 * group; and the LU's port groups across the group (ascending ids, at
	 * most max, each with its state), which REPORT TARGET PORT GROUPS
	 * returns on every gateway alike. 0 groups: the store has none yet.
	 */
	int (*alua_ports)(struct bs_dev *dev, const uint16_t *tags, size_t n);
	size_t (*alua_groups)(struct bs_dev *dev, struct bs_alua_tpg *out, size_t max);
	/* Optional: true with *out filled when the LU has an owner's lease (rbd in a group). */
	bool (*owner)(struct bs_dev *dev, struct bs_owner_info *out);
	/*
	 * Optional, with owner: moves the LU's ownership to gateway to of its
	 * group, asked on this gateway (any member, owner or not). Returns
	 * once the move is asked; the hand-over follows (owner shows it). 0
	 * asked; 1 nothing to do (to owns it, or a move to it is under way);
	 * -EOPNOTSUPP the LU is in no gateway group; -EINVAL no name or one
	 * too long; -ENOENT to is no live member of the group; -EBUSY another
	 * move or a takeover is under way; -ESHUTDOWN this gateway is fenced
	 * out. Any thread.
	 */
	int (*owner_move)(struct bs_dev *dev, const char *to);
};

/*
 * For stores: completes io with result (0 or -errno) on the submitting
 * thread's loop, in a later loop iteration, never inside the caller. Only on
 * the thread that submitted io, from its submit or later.
 */
void bs_complete_later(struct bs_io *io, int result);

/*
 * The largest physical block a store may declare: 64 KiB, beyond any disk
 * sold, and well inside what READ CAPACITY(16)'s 4-bit LOGICAL BLOCKS PER
 * PHYSICAL BLOCK EXPONENT can say (2^15 blocks).
 */
#define BS_PHYS_BLOCK_SIZE_MAX 65536u

/*
 * Pure: whether phys is a physical block size that blocks of block_size
 * bytes can describe: a power of two, a multiple of block_size (at least
 * one block), at most BS_PHYS_BLOCK_SIZE_MAX. 0, or -EINVAL.
 */
int bs_phys_block_size_check(uint32_t block_size, uint32_t phys);

/*
 * A wake-up that rides the completion path, for a command that waits for
 * something another thread ends (the SCSI engine's range lock). On the
 * thread that will wait, bs_wait_arm() makes io outstanding there (so
 * bs_thread_fini waits for it too) with cb and arg; then exactly one of:
 * bs_wait_fire() from any thread, after which cb runs on the arming
 * thread's loop in a later iteration with io->result = result; or
 * bs_wait_disarm() on the arming thread, when the wait turned out not to be
 * needed (no callback). -EINVAL without a thread context.
 */
int bs_wait_arm(struct bs_io *io, void (*cb)(struct bs_io *io), void *arg);
void bs_wait_fire(struct bs_io *io, int result);
void bs_wait_disarm(struct bs_io *io);

/* Registers the built-in kinds (file, block, lvm, null). Call once at start-up. */
void bs_register_builtin(void);
int bs_register(const struct bs_ops *ops);
const struct bs_ops *bs_find(const char *type);

/*
 * Opens a backstore of kind type. On success *out is a new device that the
 * caller releases with bs_close(). -ENOENT for an unknown kind, or the
 * store's -errno; err (if not NULL, errlen bytes) receives a human reason.
 */
int bs_open(const char *type, const struct bs_params *p, struct bs_dev **out, char *err,
	    size_t errlen);
void bs_close(struct bs_dev *dev);

/*
 * For ops->open: formats a reason for the administrator into bs_open's err
 * buffer (and logs it as an error). Returns err as a negative errno, so
 * that open can "return bs_open_err(dev, -ENOENT, ...)".
 */
int bs_open_err(struct bs_dev *dev, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Queues io on dev (see bs_ops.submit). The thread must have called
 * bs_thread_init(). Checks first, and fails without a callback: -EINVAL (no
 * cb, no thread context, unknown op, offset or len not a multiple of
 * block_size, len not the iovecs' sum), -ERANGE (past the end of the store),
 * -EROFS (a write to a read-only store). Buffers aligned to block_size
 * (4096 is always enough) avoid a bounce copy on O_DIRECT stores.
 */
int bs_submit(struct bs_dev *dev, struct bs_io *io);

/*
 * Copies io->len bytes from src at src_off to dst at io->offset, inside
 * porticod (EXTENDED COPY): copy_file_range when both are file stores,
 * else a READ and a WRITE per chunk through the stores' own engines. The
 * caller sets io's offset, len, fua (the destination's durability, as for
 * a WRITE), cb and arg; op and iov are not used. Same contract as
 * bs_submit: 0 and io->cb runs later on this thread's loop, or -errno and
 * no callback: -EINVAL (no cb or thread context, len 0, misaligned, or
 * overlapping ranges of one store: the caller orders such a copy), -ERANGE
 * (past either end), -EROFS (dst read-only), -ENOMEM.
 */
int bs_copy(struct bs_dev *src, uint64_t src_off, struct bs_dev *dst, struct bs_io *io);

/*
 * Every thread that submits I/O calls this once with its loop: it sets up the
 * thread's aio context and the eventfd through which completions reach the
 * loop. bs_thread_fini() undoes it (after all of the thread's I/O completed).
 * -EBUSY if the thread already has a context. fini is not for callbacks;
 * called with I/O still outstanding, it waits for it (up to 30 s) and runs
 * those callbacks first.
 */
int bs_thread_init(struct ev_loop *loop);
void bs_thread_fini(void);

/* Stops the worker pool (at exit, after every thread's fini). */
void bs_shutdown(void);

#endif
