/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration parser (config_parse_string, target/model/config.c), the
 * text the administrator writes, through libconfig into struct obj_model;
 * then, for a model it accepts, the LUN maps sessions would get
 * (obj_lun_map_build).
 *
 * Input: the configuration text. Inputs holding "@include" are skipped:
 * libconfig would read the named file (/dev/zero and the like), which says
 * nothing about our parser.
 *
 * Checked: a refusal comes with a message of the documented form and no
 * model; an accepted model has no backstore opened, valid target and
 * initiator names, LUN numbers within OBJ_LUN_MAX and sorted, LUNs that
 * point at its own backstores, terminated strings; each ACL's LUN map is
 * strictly sorted (no LUN number twice), and an initiator the TPG does not
 * know gets no map unless the TPG generates ACLs; each allowed_addresses
 * list holds at most NET_ALLOW_MAX distinct networks with their host bits
 * clear, whose canonical text reads back as the same list, and a network
 * holds its own address.
 */
#include <errno.h>

#include "tests/fuzz/fuzz.h"
#include "target/model/config.h"
#include "target/model/obj.h"

#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

static void check_map(const struct obj_tpg *tpg, const char *initiator)
{
	struct scsi_lun_map *map = NULL;
	bool known = obj_find_acl(tpg, initiator) != NULL;
	int rc = obj_lun_map_build(tpg, initiator, &map);

	FUZZ_CHECK(rc == 0 || rc == -ENOMEM || rc == -EACCES, "obj_lun_map_build: %d", rc);
	FUZZ_CHECK(rc != -EACCES || (!known && !tpg->attrs.generate_node_acls),
		   "'%s' has an ACL (or the TPG generates them) and no access", initiator);
	FUZZ_CHECK(rc == -EACCES || rc == -ENOMEM || known || tpg->attrs.generate_node_acls,
		   "a stranger ('%s') gets a LUN map", initiator);
	if (rc) {
		FUZZ_CHECK(map == NULL, "a failed map build handed out a map");
		return;
	}
	FUZZ_CHECK(map != NULL, "no map");
	for (size_t i = 0; i < map->n; i++) {
		FUZZ_CHECK(map->e[i].lun <= OBJ_LUN_MAX, "mapped LUN %llu",
			   (unsigned long long)map->e[i].lun);
		FUZZ_CHECK(i == 0 || map->e[i - 1].lun < map->e[i].lun, "map not sorted");
		FUZZ_CHECK(map->e[i].lu == NULL, "a LU before config_open");
		FUZZ_CHECK(scsi_lun_map_find(map, map->e[i].lun) == &map->e[i],
			   "scsi_lun_map_find misses LUN %llu", (unsigned long long)map->e[i].lun);
	}
	scsi_lun_map_free(map);
}

static void check_allowed(const struct net_allow *l)
{
	char text[NET_ALLOW_TEXT_MAX];
	struct net_allow back;
	int n;

	FUZZ_CHECK(l->n <= NET_ALLOW_MAX, "%zu allowed addresses", l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct net_cidr *net = &l->nets[i];
		unsigned int bits = net->family == AF_INET ? 32 : 128;
		struct net_cidr host = *net;

		FUZZ_CHECK(net->family == AF_INET || net->family == AF_INET6, "family %d",
			   net->family);
		FUZZ_CHECK(net->prefix <= bits, "prefix %u", net->prefix);
		/* the network address itself, as a peer, is in the network */
		host.prefix = (uint8_t)bits;
		FUZZ_CHECK(net_contains(net, &host), "a network without its own address");
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(!net_equal(&l->nets[j], net), "a network listed twice");
	}
	n = net_allow_format(l, text, sizeof(text));
	FUZZ_CHECK(n >= 0, "net_allow_format: %d", n);
	n = net_allow_parse(text, (size_t)n, &back, NULL);
	FUZZ_CHECK(n == 0 || n == -ENOMEM, "'%s' does not read back: %d", text, n);
	FUZZ_CHECK(n || net_allow_equal(l, &back), "'%s' reads back different", text);
	net_allow_fini(&back);
}

static void check_model(const struct obj_model *m)
{
	FUZZ_CHECK(TERMINATED(m->control_socket) && TERMINATED(m->debug) && TERMINATED(m->path),
		   "model strings not terminated");
	FUZZ_CHECK(m->io_threads <= CONFIG_IO_THREADS_MAX, "io_threads %u", m->io_threads);
	for (size_t i = 0; i < m->nbackstores; i++) {
		const struct obj_backstore *b = &m->backstores[i];

		FUZZ_CHECK(TERMINATED(b->name) && TERMINATED(b->type) && TERMINATED(b->path) &&
			       TERMINATED(b->id.serial),
			   "backstore strings not terminated");
		FUZZ_CHECK(b->dev == NULL && b->lu == NULL, "a backstore opened by the parse");
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(m->backstores[j].name, b->name),
				   "two backstores named '%s'", b->name);
	}
	for (size_t t = 0; t < m->ntargets; t++) {
		const struct obj_target *tg = &m->targets[t];

		FUZZ_CHECK(TERMINATED(tg->iqn) && TERMINATED(tg->alias), "target strings");
		FUZZ_CHECK(iscsi_name_check(tg->iqn, NULL) == 0, "target name '%s' accepted",
			   tg->iqn);
		for (size_t p = 0; p < tg->ntpgs; p++) {
			const struct obj_tpg *tpg = &tg->tpgs[p];

			FUZZ_CHECK(tpg->target == tg, "TPG %u points at another target", tpg->tag);
			check_allowed(&tpg->allowed);
			for (size_t l = 0; l < tpg->nluns; l++) {
				const struct obj_backstore *bs = tpg->luns[l].bs;

				FUZZ_CHECK(tpg->luns[l].lun <= OBJ_LUN_MAX, "TPG LUN %llu",
					   (unsigned long long)tpg->luns[l].lun);
				FUZZ_CHECK(l == 0 || tpg->luns[l - 1].lun < tpg->luns[l].lun,
					   "TPG LUNs not sorted");
				FUZZ_CHECK(bs >= m->backstores &&
					       bs < m->backstores + m->nbackstores,
					   "a TPG LUN outside the model's backstores");
			}
			for (size_t a = 0; a < tpg->nacls; a++) {
				const struct obj_acl *acl = &tpg->acls[a];

				FUZZ_CHECK(iscsi_name_check(acl->initiator, NULL) == 0,
					   "initiator name '%s' accepted", acl->initiator);
				check_allowed(&acl->allowed);
				for (size_t k = 0; k < acl->nmapped; k++)
					FUZZ_CHECK(acl->mapped[k].lun <= OBJ_LUN_MAX,
						   "mapped LUN %llu",
						   (unsigned long long)acl->mapped[k].lun);
				check_map(tpg, acl->initiator);
			}
			check_map(tpg, "iqn.2026-01.org.example:stranger-not-in-any-acl");
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct obj_model *m = (struct obj_model *)1;
	struct cfg_err err;
	char *text;
	int rc;

	if (memmem(data, size, "@include", 8))
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&err, 0, sizeof(err));
	rc = config_parse_string(text, &m, &err);
	if (rc) {
		FUZZ_CHECK(rc < 0, "config_parse_string: %d", rc);
		FUZZ_CHECK(m == NULL, "a refused configuration handed out a model");
		FUZZ_CHECK(err.msg[0] && TERMINATED(err.msg), "a refusal without a message");
		FUZZ_CHECK(!strncmp(err.msg, "line ", 5) || strstr(err.msg, ":"),
			   "message not 'FILE:LINE: ...': '%s'", err.msg);
	} else {
		FUZZ_CHECK(m != NULL && m != (struct obj_model *)1, "accepted without a model");
		check_model(m);
		obj_model_free(m);
	}
	free(text);
	return 0;
}
