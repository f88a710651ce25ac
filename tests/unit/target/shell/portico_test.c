/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The portico program, end to end, against a fake porticod: a thread that
 * listens on a temporary UNIX socket, speaks the control protocol with
 * common/ctl.c, checks each request against a script (op, path, args) and
 * answers with the script's canned result or error. No porticod involved.
 *
 * The walkthrough's session (stdout of `portico -e` fed the walkthrough's
 * commands) is compared with walkthrough_session.golden, which
 * docs/shell.md shows; PORTICO_UPDATE_GOLDEN=1 rewrites both.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl.h"
#include "target/shell/view.h"
#include "common/version.h"
#include "tests/unit/check_main.h"
#include "tests/unit/target/shell/fixture.h"

#define TPG FIXTURE_TPG
#define ACL TPG "/acls/" FIXTURE_KVM1
#define FIXTURE_SESSION FIXTURE_DIR "walkthrough_session.golden"
#define RUN_TIMEOUT_MS 30000

extern char **environ;

/* One request the fake porticod expects, and what it answers. */
struct exchange {
	const char *op;
	const char *path;
	const char *args; /* JSON the request's args must equal */
	const char *result; /* JSON; "@tree": the walkthrough; "@node:PATH": a node of it */
	const char *code; /* an error instead: code, message, hint */
	const char *message;
	const char *hint;
	const char *raw; /* a line sent as it is */
	bool hangup; /* close the connection instead of answering */
};

struct fake {
	char dir[64];
	char sock[100];
	int lfd;
	pthread_t thread;
	const struct exchange *script;
	size_t n;
	size_t next; /* requests seen */
	size_t conns;
	char log[4096]; /* what did not go as the script says */
	struct json_object *tree;
};

struct run {
	int status; /* exit status, or -1 when killed */
	char *out;
	char *err;
};

static void fake_note(struct fake *f, const char *fmt, const char *a, const char *b)
{
	size_t len = strlen(f->log);

	snprintf(f->log + len, sizeof(f->log) - len, fmt, a, b);
}

static void fake_send(int fd, const char *line, size_t len)
{
	while (len) {
		ssize_t n = send(fd, line, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		line += n;
		len -= (size_t)n;
	}
}

static struct json_object *fake_result(struct fake *f, const char *spec)
{
	if (!spec)
		return json_object_new_object();
	if (strcmp(spec, "@tree") == 0)
		return json_object_get(f->tree);
	if (strncmp(spec, "@node:", 6) == 0)
		return json_object_get(sh_tree_find(f->tree, spec + 6));
	return json_tokener_parse(spec);
}

/* Answers one request; returns false to hang up. */
static bool fake_answer(struct fake *f, int fd, const char *msg, size_t len)
{
	static char buf[CTL_BUF_SIZE];
	const struct exchange *x;
	struct ctl_request req;
	struct json_object *want, *result;
	const char *why = NULL;
	int n;

	if (ctl_request_parse(msg, len, &req, &why)) {
		fake_note(f, "malformed request (%s): %s\n", why, msg);
		return false;
	}
	if (f->next >= f->n) {
		fake_note(f, "unexpected request: %s %s\n", req.op, req.path);
		n = ctl_response_build_error(buf, sizeof(buf), &req.id, EINVAL, "not in the script", NULL);
		fake_send(fd, buf, (size_t)n);
		f->next++;
		ctl_request_fini(&req);
		return true;
	}
	x = &f->script[f->next++];
	want = json_tokener_parse(x->args);
	if (strcmp(req.op, x->op) || strcmp(req.path, x->path)) {
		fake_note(f, "request %s on '%s'", req.op, req.path);
		fake_note(f, ", expected %s on '%s'\n", x->op, x->path);
	} else if (!want || !json_object_equal(want, req.args))
		fake_note(f, "%s: args %s\n", x->path,
			  json_object_to_json_string_ext(req.args, JSON_C_TO_STRING_PLAIN));
	json_object_put(want);
	if (x->hangup) {
		ctl_request_fini(&req);
		return false;
	}
	if (x->raw) {
		fake_send(fd, x->raw, strlen(x->raw));
		fake_send(fd, "\n", 1);
	} else if (x->code) {
		n = ctl_response_build_error(buf, sizeof(buf), &req.id, ctl_errno_from_name(x->code),
					     x->message, x->hint);
		ck_assert_int_gt(n, 0);
		fake_send(fd, buf, (size_t)n);
	} else {
		result = fake_result(f, x->result);
		n = ctl_response_build_ok(buf, sizeof(buf), &req.id, result);
		json_object_put(result);
		if (n > 0)
			fake_send(fd, buf, (size_t)n);
	}
	ctl_request_fini(&req);
	return true;
}

static void *fake_run(void *arg)
{
	struct fake *f = arg;
	static char chunk[65536];
	int fd;

	while ((fd = accept(f->lfd, NULL, NULL)) >= 0) {
		struct ctl_reader rd;
		bool open = true;
		ssize_t n;

		f->conns++;
		ctl_reader_init(&rd);
		while (open && (n = recv(fd, chunk, sizeof(chunk), 0)) > 0) {
			const char *msg;
			size_t len;

			if (ctl_reader_feed(&rd, chunk, (size_t)n))
				break;
			while (open && ctl_reader_next(&rd, &msg, &len) == 1)
				open = fake_answer(f, fd, msg, len);
		}
		ctl_reader_fini(&rd);
		close(fd);
	}
	return NULL;
}

static void fake_start(struct fake *f, const struct exchange *script, size_t n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(f, 0, sizeof(*f));
	f->script = script;
	f->n = n;
	f->tree = fixture_tree();
	snprintf(f->dir, sizeof(f->dir), "/tmp/portico-shell-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->sock, sizeof(f->sock), "%s/porticod.sock", f->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->sock);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(f->lfd, 0);
	ck_assert_int_eq(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(f->lfd, 4), 0);
	ck_assert_int_eq(pthread_create(&f->thread, NULL, fake_run, f), 0);
}

/* Stops the fake and checks that the script ran as written, every request in order. */
static void fake_stop(struct fake *f, bool all_used)
{
	shutdown(f->lfd, SHUT_RDWR);
	ck_assert_int_eq(pthread_join(f->thread, NULL), 0);
	close(f->lfd);
	unlink(f->sock);
	rmdir(f->dir);
	json_object_put(f->tree);
	ck_assert_msg(f->log[0] == '\0', "the fake porticod saw: %s", f->log);
	if (all_used)
		ck_assert_msg(f->next == f->n, "%zu requests of %zu", f->next, f->n);
}

static char *read_fd_all(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	ck_assert_ptr_nonnull(buf);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
	}
	buf[len] = '\0';
	return buf;
}

static void binary_path(char *out, size_t cap)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	/* $(BUILD)/tests/unit/target/shell/portico_test -> $(BUILD)/bin/portico */
	snprintf(out, cap, "%s/../../../../bin/portico", dirname(exe));
}

static int tmpfile_fd(const char *text)
{
	char name[] = "/tmp/portico-shell-io.XXXXXX";
	int fd = mkstemp(name);

	ck_assert_int_ge(fd, 0);
	unlink(name);
	if (text)
		ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/*
 * The environment for portico: the test's, with COLUMNS=100, PORTICO_SOCKET
 * only when env_socket is set, HOME when home is. envp holds 256 entries.
 */
static void build_env(char **envp, const char *env_socket, const char *home)
{
	static char columns[] = "COLUMNS=100", term[] = "TERM=xterm";
	static char sockenv[256], homeenv[256];
	size_t i, e = 0;

	for (i = 0; environ[i] && e < 250; i++)
		if (strncmp(environ[i], "COLUMNS=", 8) && strncmp(environ[i], "PORTICO_SOCKET=", 15) &&
		    strncmp(environ[i], "HOME=", 5) && strncmp(environ[i], "TERM=", 5))
			envp[e++] = environ[i];
	envp[e++] = columns;
	envp[e++] = term;
	if (env_socket) {
		snprintf(sockenv, sizeof(sockenv), "PORTICO_SOCKET=%s", env_socket);
		envp[e++] = sockenv;
	}
	if (home) {
		snprintf(homeenv, sizeof(homeenv), "HOME=%s", home);
		envp[e++] = homeenv;
	}
	envp[e] = NULL;
}

/*
 * Runs portico with args (NULL-terminated), standard input in (NULL: empty),
 * in an environment with COLUMNS=100 and, when env_socket is set,
 * PORTICO_SOCKET=env_socket (else whatever PORTICO_SOCKET the test had is removed).
 */
static struct run run_portico(const char *const *args, const char *in, const char *env_socket)
{
	char bin[PATH_MAX];
	const char *argv[64];
	char *envp[256];
	int in_fd = tmpfile_fd(in), out_fd = tmpfile_fd(NULL), err_fd = tmpfile_fd(NULL);
	struct run r = { .status = -1 };
	size_t i, n = 0;
	int64_t waited = 0;
	pid_t pid;
	int st;

	binary_path(bin, sizeof(bin));
	argv[n++] = bin;
	for (i = 0; args[i] && n < 62; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	build_env(envp, env_socket, NULL);

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(in_fd, 0);
		dup2(out_fd, 1);
		dup2(err_fd, 2);
		execve(bin, (char *const *)argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (waited > RUN_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		poll(NULL, 0, 10);
		waited += 10;
	}
	if (WIFEXITED(st))
		r.status = WEXITSTATUS(st);
	r.out = read_fd_all(out_fd);
	r.err = read_fd_all(err_fd);
	close(in_fd);
	close(out_fd);
	close(err_fd);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ---- the walkthrough --------------------------------------------------- */

static const char walkthrough_cmds[] =
	"/backstores/file create name=LUN0 file=/srv/iscsi/LUN0.img size=20G sparse=true\n"
	"/backstores/block create name=LUN1 dev=/dev/loop0\n"
	"/backstores/lvm create name=LUN2 dev=/dev/loop1\n"
	"/iscsi create\n"
	"cd /iscsi/" FIXTURE_TARGET "/tpg1\n"
	"portals/ create ip_address=127.0.0.1 ip_port=3260\n"
	"acls/ create " FIXTURE_KVM1 "\n"
	"luns/ create /backstores/file/LUN0\n"
	"luns/ create /backstores/block/LUN1\n"
	"luns/ create /backstores/lvm/LUN2\n"
	"cd /\n"
	"ls\n";

static const struct exchange walkthrough[] = {
	{ .op = "create", .path = "/backstores/file",
	  .args = "{\"name\":\"LUN0\",\"file\":\"/srv/iscsi/LUN0.img\",\"size\":\"20G\",\"sparse\":\"true\"}",
	  .result = "{\"path\":\"/backstores/file/LUN0\",\"messages\":[\"Created file backstore "
		    "LUN0.\"]}" },
	{ .op = "create", .path = "/backstores/block", .args = "{\"name\":\"LUN1\",\"dev\":\"/dev/loop0\"}",
	  .result = "{\"path\":\"/backstores/block/LUN1\",\"messages\":[\"Created block backstore "
		    "LUN1.\"]}" },
	{ .op = "create", .path = "/backstores/lvm",
	  .args = "{\"name\":\"LUN2\",\"dev\":\"/dev/loop1\"}",
	  .result = "{\"path\":\"/backstores/lvm/LUN2\",\"messages\":[\"Created lvm backstore "
		    "LUN2.\"]}" },
	{ .op = "create", .path = "/iscsi", .args = "{}",
	  .result = "{\"path\":\"/iscsi/" FIXTURE_TARGET "\",\"messages\":[\"Created target "
		    FIXTURE_TARGET ".\",\"Created TPG 1.\"]}" },
	{ .op = "get", .path = TPG, .args = "{\"depth\":0}", .result = "@node:" TPG },
	{ .op = "create", .path = TPG "/portals",
	  .args = "{\"ip_address\":\"127.0.0.1\",\"ip_port\":\"3260\"}",
	  .result = "{\"path\":\"" TPG "/portals/127.0.0.1:3260\",\"messages\":[\"Created network portal "
		    "127.0.0.1:3260.\"]}" },
	{ .op = "create", .path = TPG "/acls", .args = "{\"_1\":\"" FIXTURE_KVM1 "\"}",
	  .result = "{\"path\":\"" ACL "\",\"messages\":[\"Created Node ACL for " FIXTURE_KVM1
		    "\"]}" },
	{ .op = "create", .path = TPG "/luns", .args = "{\"_1\":\"/backstores/file/LUN0\"}",
	  .result = "{\"path\":\"" TPG "/luns/lun0\",\"messages\":[\"Created LUN 0.\",\"Created "
		    "LUN 0->0 mapping in node ACL " FIXTURE_KVM1 "\"]}" },
	{ .op = "create", .path = TPG "/luns", .args = "{\"_1\":\"/backstores/block/LUN1\"}",
	  .result = "{\"path\":\"" TPG "/luns/lun1\",\"messages\":[\"Created LUN 1.\",\"Created "
		    "LUN 1->1 mapping in node ACL " FIXTURE_KVM1 "\"]}" },
	{ .op = "create", .path = TPG "/luns", .args = "{\"_1\":\"/backstores/lvm/LUN2\"}",
	  .result = "{\"path\":\"" TPG "/luns/lun2\",\"messages\":[\"Created LUN 2.\",\"Created "
		    "LUN 2->2 mapping in node ACL " FIXTURE_KVM1 "\"]}" },
	{ .op = "get", .path = "/", .args = "{\"depth\":0}", .result = "@node:/" },
	{ .op = "get", .path = "/", .args = "{}", .result = "@tree" },
};

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(walkthrough_session)
{
	const char *update = getenv("PORTICO_UPDATE_GOLDEN");
	bool updating = update && strcmp(update, "1") == 0;
	struct fake f;
	struct run r;
	char *golden, *ls, *doc;

	fake_start(&f, walkthrough, sizeof(walkthrough) / sizeof(walkthrough[0]));
	r = run_portico(ARGS("--socket", f.sock, "--timeout", "10", "-e"), walkthrough_cmds, NULL);
	fake_stop(&f, true);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_str_eq(r.err, "");
	/* one connection for the whole batch */
	ck_assert_uint_eq(f.conns, 1);
	/* the session ends with the walkthrough's tree, drawn as the golden drawing */
	ls = fixture_read(FIXTURE_LS);
	ck_assert_ptr_nonnull(strstr(r.out, "\n/> ls\n"));
	ck_assert_str_eq(strstr(r.out, "\n/> ls\n") + 7, ls);
	ck_assert_ptr_nonnull(strstr(r.out, "\n/iscsi/iqn.202...9e7b30/tpg1> luns/ create "
					    "/backstores/lvm/LUN2\nCreated LUN 2.\n"));
	if (updating)
		write_text(FIXTURE_SESSION, r.out);
	golden = fixture_read(FIXTURE_SESSION);
	ck_assert_str_eq(r.out, golden);
	/*
	 * The stand-in answers as porticod does: the session is, word for
	 * word, the walkthrough docs/shell.md shows from a real porticod.
	 */
	doc = fixture_doc_session();
	ck_assert_msg(!strcmp(r.out, doc),
		      "the stand-in's walkthrough differs from docs/shell.md's transcript "
		      "(tests/functional/shell-walkthrough.sh):\n--- stand-in\n%s--- docs\n%s",
		      r.out, doc);
	free(doc);
	free(golden);
	free(ls);
	run_free(&r);
}
END_TEST

/* ---- one command, errors, exit statuses -------------------------------- */

START_TEST(one_shot)
{
	static const struct exchange script[] = {
		{ .op = "create", .path = "/backstores/file",
		  .args = "{\"name\":\"LUN0\",\"file\":\"/srv/iscsi/LUN0.img\",\"size\":\"20G\"}",
		  .result = "{\"path\":\"/backstores/file/LUN0\"}" },
	};
	struct fake f;
	struct run r;

	fake_start(&f, script, 1);
	r = run_portico(ARGS("--socket", f.sock, "/backstores/file", "create", "name=LUN0",
			     "file=/srv/iscsi/LUN0.img", "size=20G"),
			NULL, NULL);
	fake_stop(&f, true);
	ck_assert_int_eq(r.status, 0);
	/* no messages from porticod: the shell says what was made */
	ck_assert_str_eq(r.out, "Created /backstores/file/LUN0.\n");
	ck_assert_str_eq(r.err, "");
	run_free(&r);
}
END_TEST

START_TEST(error_and_hint)
{
	static const struct exchange script[] = {
		{ .op = "create", .path = "/backstores/file",
		  .args = "{\"name\":\"LUN0\",\"file\":\"/x.img\"}", .code = "EEXIST",
		  .message = "backstore 'LUN0' exists",
		  .hint = "choose another name, or delete /backstores/file/LUN0 first" },
	};
	struct fake f;
	struct run r;

	fake_start(&f, script, 1);
	r = run_portico(ARGS("-s", f.sock, "/backstores/file", "create", "name=LUN0", "file=/x.img"),
			NULL, NULL);
	fake_stop(&f, true);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err, "error: backstore 'LUN0' exists [EEXIST]\n"
				"hint: choose another name, or delete /backstores/file/LUN0 first\n");
	run_free(&r);
}
END_TEST

static const char three_creates[] = "/backstores/null create name=a size=1G\n"
				    "/backstores/null create name=a size=1G\n"
				    "/backstores/null create name=b size=1G\n";

static const struct exchange three_script[] = {
	{ .op = "create", .path = "/backstores/null", .args = "{\"name\":\"a\",\"size\":\"1G\"}",
	  .result = "{\"messages\":[\"Created null backstore a.\"]}" },
	{ .op = "create", .path = "/backstores/null", .args = "{\"name\":\"a\",\"size\":\"1G\"}",
	  .code = "EEXIST", .message = "backstore 'a' exists" },
	{ .op = "create", .path = "/backstores/null", .args = "{\"name\":\"b\",\"size\":\"1G\"}",
	  .result = "{\"messages\":[\"Created null backstore b.\"]}" },
};

START_TEST(batch_stops_at_the_first_error)
{
	struct fake f;
	struct run r;

	fake_start(&f, three_script, 3);
	r = run_portico(ARGS("--socket", f.sock), three_creates, NULL);
	fake_stop(&f, false);
	ck_assert_uint_eq(f.next, 2);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "Created null backstore a.\n");
	ck_assert_str_eq(r.err, "stdin:2: error: backstore 'a' exists [EEXIST]\n");
	run_free(&r);
}
END_TEST

START_TEST(batch_keeps_going)
{
	struct fake f;
	struct run r;

	fake_start(&f, three_script, 3);
	r = run_portico(ARGS("--socket", f.sock, "-k"), three_creates, NULL);
	fake_stop(&f, true);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "Created null backstore a.\nCreated null backstore b.\n");
	ck_assert_str_eq(r.err, "stdin:2: error: backstore 'a' exists [EEXIST]\n");
	run_free(&r);
}
END_TEST

START_TEST(batch_from_a_file_until_exit)
{
	static const struct exchange script[] = {
		{ .op = "version", .path = "/", .args = "{}",
		  .result = "{\"protocol\":1,\"porticod\":\"0.1\"}" },
	};
	char path[] = "/tmp/portico-batch.XXXXXX";
	struct fake f;
	struct run r;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(write(fd, "# a comment\n\nversion\nexit\nversion\n", 34), 0);
	close(fd);
	fake_start(&f, script, 1);
	r = run_portico(ARGS("--socket", f.sock, "-f", path), NULL, NULL);
	fake_stop(&f, true);
	unlink(path);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "protocol: 1\nporticod: 0.1\n");
	run_free(&r);
}
END_TEST

START_TEST(local_errors_send_nothing)
{
	struct fake f;
	struct run r;

	fake_start(&f, NULL, 0);
	r = run_portico(ARGS("--socket", f.sock), "frobnicate\n", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "stdin:1: error: unknown command 'frobnicate'\n"
				"stdin:1: hint: 'help' lists the commands of this node\n");
	run_free(&r);
	r = run_portico(ARGS("--socket", f.sock, "/backstores/ramdisk", "create", "name=x"), NULL,
			NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "error: no node can be at '/backstores/ramdisk': the backstore types "
				"are file, block, lvm, null and rbd\nhint: 'ls /' shows the tree\n");
	run_free(&r);
	r = run_portico(ARGS("--socket", f.sock, "clearconfig"), NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "error: clearconfig removes every target and backstore: confirm it\n"
				"hint: clearconfig confirm=true\n");
	run_free(&r);
	fake_stop(&f, true);
	ck_assert_uint_eq(f.conns, 0);
}
END_TEST

START_TEST(socket_from_the_environment)
{
	static const struct exchange script[] = {
		{ .op = "status", .path = "/", .args = "{}",
		  .result = "{\"porticod\":\"0.1\",\"uptime_s\":3600,\"io_threads\":2,\"sessions\":"
			    "[{\"initiator\":\"" FIXTURE_KVM1 "\",\"target\":\"" FIXTURE_TARGET "\","
			    "\"portal\":\"192.0.2.10:3260\",\"tsih\":1,\"luns\":3}]}" },
	};
	struct fake f;
	struct run r;

	fake_start(&f, script, 1);
	r = run_portico(ARGS("status"), NULL, f.sock);
	fake_stop(&f, true);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "porticod: 0.1\nuptime_s: 3600\nio_threads: 2\nsessions:\n"
				"  - initiator: " FIXTURE_KVM1 "\n    target: " FIXTURE_TARGET "\n"
				"    portal: 192.0.2.10:3260\n    tsih: 1\n    luns: 3\n");
	run_free(&r);
}
END_TEST

/* targetcli's sessions: status's list alone; none open said so; --json the array. */
START_TEST(sessions)
{
	static const struct exchange script[] = {
		{ .op = "status", .path = "/", .args = "{}",
		  .result = "{\"porticod\":\"0.1\",\"uptime_s\":3600,\"io_threads\":2,\"sessions\":"
			    "[{\"initiator\":\"" FIXTURE_KVM1 "\",\"target\":\"" FIXTURE_TARGET "\","
			    "\"portal\":\"192.0.2.10:3260\",\"tsih\":1,\"luns\":3}]}" },
		{ .op = "status", .path = "/", .args = "{}",
		  .result = "{\"porticod\":\"0.1\",\"sessions\":[]}" },
		{ .op = "status", .path = "/", .args = "{}",
		  .result = "{\"porticod\":\"0.1\",\"sessions\":[{\"tsih\":7}]}" },
	};
	struct fake f;
	struct run r;

	fake_start(&f, script, 3);
	r = run_portico(ARGS("-s", f.sock, "sessions"), NULL, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "- initiator: " FIXTURE_KVM1 "\n  target: " FIXTURE_TARGET "\n"
				"  portal: 192.0.2.10:3260\n  tsih: 1\n  luns: 3\n");
	run_free(&r);
	r = run_portico(ARGS("-s", f.sock, "sessions"), NULL, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "No open sessions.\n");
	run_free(&r);
	r = run_portico(ARGS("-s", f.sock, "--json", "sessions"), NULL, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	{
		struct json_object *got = json_tokener_parse(r.out);

		ck_assert_msg(got && json_object_is_type(got, json_type_array), "'%s'", r.out);
		ck_assert_int_eq(json_object_array_length(got), 1);
		json_object_put(got);
	}
	run_free(&r);
	fake_stop(&f, true);
}
END_TEST

START_TEST(json_output)
{
	static const struct exchange script[] = {
		{ .op = "get", .path = "/backstores/file/LUN0", .args = "{}",
		  .result = "@node:/backstores/file/LUN0" },
	};
	struct json_object *got, *tree = fixture_tree();
	struct fake f;
	struct run r;

	fake_start(&f, script, 1);
	r = run_portico(ARGS("--socket", f.sock, "--json", "ls", "/backstores/fileio/LUN0"), NULL,
			NULL);
	fake_stop(&f, true);
	ck_assert_int_eq(r.status, 0);
	got = json_tokener_parse(r.out);
	ck_assert_ptr_nonnull(got);
	ck_assert(json_object_equal(got, sh_tree_find(tree, "/backstores/file/LUN0")));
	json_object_put(got);
	json_object_put(tree);
	run_free(&r);
}
END_TEST

/* {"error": {"message", "code", "hint"}} from r's stderr, one line; checks its fields. */
static void json_error_is(const struct run *r, const char *message, const char *code,
			  const char *hint)
{
	struct json_object *got, *e, *v;

	ck_assert_msg(r->err[0] && strchr(r->err, '\n') == r->err + strlen(r->err) - 1,
		      "not one line: '%s'", r->err);
	got = json_tokener_parse(r->err);
	ck_assert_msg(got != NULL, "not JSON: '%s'", r->err);
	ck_assert(json_object_object_get_ex(got, "error", &e));
	ck_assert(json_object_object_get_ex(e, "message", &v));
	ck_assert_str_eq(json_object_get_string(v), message);
	ck_assert_int_eq(json_object_object_get_ex(e, "code", &v), code != NULL);
	if (code)
		ck_assert_str_eq(json_object_get_string(v), code);
	ck_assert_int_eq(json_object_object_get_ex(e, "hint", &v), hint != NULL);
	if (hint)
		ck_assert_str_eq(json_object_get_string(v), hint);
	json_object_put(got);
}

/* Under --json every error is JSON too: porticod's, the shell's, the command line's. */
START_TEST(json_errors)
{
	static const struct exchange script[] = {
		{ .op = "create", .path = "/backstores/file",
		  .args = "{\"name\":\"LUN0\",\"file\":\"/x.img\"}", .code = "EEXIST",
		  .message = "backstore 'LUN0' exists",
		  .hint = "choose another name, or delete /backstores/file/LUN0 first" },
	};
	struct fake f;
	struct run r;

	fake_start(&f, script, 1);
	r = run_portico(ARGS("-s", f.sock, "--json", "/backstores/file", "create", "name=LUN0",
			     "file=/x.img"),
			NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "");
	json_error_is(&r, "backstore 'LUN0' exists", "EEXIST",
		      "choose another name, or delete /backstores/file/LUN0 first");
	run_free(&r);
	r = run_portico(ARGS("-s", f.sock, "--json", "clearconfig"), NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	json_error_is(&r, "clearconfig removes every target and backstore: confirm it", NULL,
		      "clearconfig confirm=true");
	run_free(&r);
	r = run_portico(ARGS("-s", f.sock, "--json"), "frobnicate\n", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "");
	json_error_is(&r, "unknown command 'frobnicate'", NULL,
		      "'help' lists the commands of this node");
	{
		struct json_object *got = json_tokener_parse(r.err), *e, *v;

		ck_assert(json_object_object_get_ex(got, "error", &e));
		ck_assert(json_object_object_get_ex(e, "where", &v));
		ck_assert_str_eq(json_object_get_string(v), "stdin:1");
		json_object_put(got);
	}
	run_free(&r);
	fake_stop(&f, true);
}
END_TEST

START_TEST(auth_and_get)
{
	static const struct exchange script[] = {
		{ .op = "get", .path = ACL, .args = "{\"depth\":0}", .result = "@node:" ACL },
		{ .op = "set", .path = ACL,
		  .args = "{\"_1\":\"auth\",\"userid\":\"kvm1\",\"password\":\"kvm1-secret-12\","
			  "\"mutual_userid\":\"storage1\",\"mutual_password\":\"storage1-secret\"}",
		  .result = "{\"messages\":[\"CHAP for " FIXTURE_KVM1 " set (mutual); it applies at "
			    "the next login.\"]}" },
		{ .op = "get", .path = ACL, .args = "{\"depth\":0}",
		  .result = "{\"name\":\"" FIXTURE_KVM1 "\",\"path\":\"" ACL "\",\"type\":\"acl\","
			    "\"props\":{\"auth\":{\"userid\":\"kvm1\",\"password_set\":true,"
			    "\"mutual_userid\":\"storage1\",\"mutual_password_set\":true}}}" },
	};
	struct fake f;
	struct run r;

	fake_start(&f, script, 3);
	r = run_portico(ARGS("--socket", f.sock),
			"cd " ACL "\n"
			"set auth userid=kvm1 password=kvm1-secret-12 mutual_userid=storage1 "
			"mutual_password=storage1-secret\n"
			"get auth\n",
			NULL);
	fake_stop(&f, true);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "CHAP for " FIXTURE_KVM1 " set (mutual); it applies at the next "
				"login.\nAUTH CONFIG GROUP\n=================\nuserid=kvm1\n"
				"password_set=true\nmutual_userid=storage1\nmutual_password_set=true\n");
	run_free(&r);
}
END_TEST

START_TEST(delete_leaves_the_deleted_node)
{
	static const struct exchange script[] = {
		{ .op = "get", .path = TPG "/luns/lun2", .args = "{\"depth\":0}",
		  .result = "@node:" TPG "/luns/lun2" },
		{ .op = "delete", .path = TPG "/luns/lun2", .args = "{\"force\":\"true\"}" },
		{ .op = "delete", .path = TPG "/acls/" FIXTURE_KVM1 "/mapped_lun1", .args = "{}",
		  .code = "EBUSY", .message = "mapped LUN 1 is in use by a session",
		  .hint = "log the initiator out first, or add force=true" },
	};
	struct fake f;
	struct run r;

	fake_start(&f, script, 3);
	r = run_portico(ARGS("--socket", f.sock, "-k"),
			"cd " TPG "/luns/lun2\ndelete force=true\npwd\n../acls/" FIXTURE_KVM1
			" delete 1\npwd\n",
			NULL);
	fake_stop(&f, true);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "Deleted " TPG "/luns/lun2.\n" TPG "/luns\n" TPG "/luns\n");
	ck_assert_str_eq(r.err, "stdin:4: error: mapped LUN 1 is in use by a session [EBUSY]\n"
				"stdin:4: hint: log the initiator out first, or add force=true\n");
	run_free(&r);
}
END_TEST

START_TEST(cd_refused)
{
	static const struct exchange script[] = {
		{ .op = "get", .path = "/iscsi/iqn.2026-11.org.example:nope", .args = "{\"depth\":0}",
		  .code = "ENOENT", .message = "no target 'iqn.2026-11.org.example:nope'",
		  .hint = "'ls /iscsi' lists the targets" },
	};
	struct fake f;
	struct run r;

	fake_start(&f, script, 1);
	r = run_portico(ARGS("--socket", f.sock), "cd /iscsi/iqn.2026-11.org.example:nope\npwd\n",
			NULL);
	fake_stop(&f, true);
	/* the batch stops there: no pwd */
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err, "stdin:1: error: no target 'iqn.2026-11.org.example:nope' [ENOENT]\n"
				"stdin:1: hint: 'ls /iscsi' lists the targets\n");
	run_free(&r);
}
END_TEST

START_TEST(save_restore_clear_in_order)
{
	static const struct exchange script[] = {
		{ .op = "get", .path = "/backstores", .args = "{\"depth\":0}", .result = "@node:/backstores" },
		{ .op = "saveconfig", .path = "/", .args = "{}",
		  .result = "{\"messages\":[\"Configuration saved to /etc/portico/porticod.conf.\"]}" },
		{ .op = "restoreconfig", .path = "/",
		  .args = "{\"_1\":\"/etc/portico/porticod.conf.1\",\"clear_existing\":\"true\"}",
		  .result = "{\"messages\":[\"Configuration restored from "
			    "/etc/portico/porticod.conf.1.\"]}" },
		{ .op = "clearconfig", .path = "/", .args = "{\"confirm\":\"true\"}",
		  .result = "{\"messages\":[\"All configuration cleared.\"]}" },
	};
	struct fake f;
	struct run r;

	fake_start(&f, script, 4);
	r = run_portico(ARGS("--socket", f.sock),
			"cd /backstores\n"
			"saveconfig\n"
			"restoreconfig /etc/portico/porticod.conf.1 clear_existing=true\n"
			"clearconfig confirm=true\n"
			"pwd\n",
			NULL);
	fake_stop(&f, true);
	ck_assert_msg(r.status == 0, "%s", r.err);
	/* clearconfig takes the shell back to the root */
	ck_assert_str_eq(r.out, "Configuration saved to /etc/portico/porticod.conf.\n"
				"Configuration restored from /etc/portico/porticod.conf.1.\n"
				"All configuration cleared.\n/\n");
	run_free(&r);
}
END_TEST

/* ---- porticod missing or misbehaving ----------------------------------- */

START_TEST(unreachable)
{
	struct run r = run_portico(ARGS("--socket", "/nonexistent/porticod.sock", "ls"), NULL, NULL);

	ck_assert_int_eq(r.status, 3);
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err, "error: cannot reach porticod at /nonexistent/porticod.sock: No such "
				"file or directory\nhint: is porticod running, with its control "
				"server? Another socket: --socket PATH or PORTICO_SOCKET\n");
	run_free(&r);
	/* help needs no porticod */
	r = run_portico(ARGS("--socket", "/nonexistent/porticod.sock", "help"), NULL, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(strncmp(r.out, "Commands at / (root):\n", 22) == 0);
	run_free(&r);
	/* a batch stops at a lost daemon even with -k */
	r = run_portico(ARGS("--socket", "/nonexistent/porticod.sock", "-k"), "status\nstatus\n", NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_ptr_null(strstr(r.err, "stdin:2:"));
	run_free(&r);
}
END_TEST

START_TEST(hangup)
{
	static const struct exchange script[] = {
		{ .op = "status", .path = "/", .args = "{}", .hangup = true },
	};
	struct fake f;
	struct run r;

	fake_start(&f, script, 1);
	r = run_portico(ARGS("--socket", f.sock, "status"), NULL, NULL);
	fake_stop(&f, true);
	ck_assert_int_eq(r.status, 3);
	ck_assert_str_eq(r.err, "error: porticod closed the connection without answering\n"
				"hint: porticod may have stopped: see its log\n");
	run_free(&r);
}
END_TEST

START_TEST(protocol_violations)
{
	static const struct exchange script[] = {
		{ .op = "version", .path = "/", .args = "{}",
		  .raw = "{\"v\":2,\"id\":1,\"ok\":true,\"result\":{}}" },
		{ .op = "version", .path = "/", .args = "{}", .raw = "{\"v\":1,\"id\":1,\"ok\":\"yes\"}" },
		{ .op = "version", .path = "/", .args = "{}",
		  .raw = "{\"v\":1,\"id\":99,\"ok\":true,\"result\":{}}" },
		{ .op = "version", .path = "/", .args = "{}", .raw = "not json at all" },
	};
	static const char *const want[] = {
		("error: porticod speaks another version of the control protocol\n"
		 "hint: install portico and porticod of the same version\n"),
		"error: porticod's answer does not follow the protocol: 'ok' must be a boolean\n",
		"error: porticod answered request 99 instead of 1\n",
		"error: porticod's answer does not follow the protocol: malformed JSON\n",
	};
	struct fake f;
	size_t i;

	fake_start(&f, script, 4);
	for (i = 0; i < 4; i++) {
		struct run r = run_portico(ARGS("--socket", f.sock, "version"), NULL, NULL);

		ck_assert_int_eq(r.status, 3);
		ck_assert_str_eq(r.err, want[i]);
		run_free(&r);
	}
	fake_stop(&f, true);
}
END_TEST

START_TEST(usage)
{
	struct run r = run_portico(ARGS("--timeout", "0", "ls"), NULL, NULL);

	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.err, "portico: --timeout takes seconds, 1 to 86400\n");
	run_free(&r);
	r = run_portico(ARGS("-f", "x", "ls"), NULL, NULL);
	ck_assert_int_eq(r.status, 2);
	run_free(&r);
	r = run_portico(ARGS("--bogus"), NULL, NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "usage: portico"));
	run_free(&r);
	r = run_portico(ARGS("-f", "/nonexistent/batch"), NULL, NULL);
	ck_assert_int_eq(r.status, 2);
	run_free(&r);
	r = run_portico(ARGS("--version"), NULL, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "portico " PORTICO_VERSION " (control protocol 1)\n");
	run_free(&r);
	/* options end at the first word: the command's words are its own */
	r = run_portico(ARGS("--socket", "/nonexistent/s", "help", "-k"), NULL, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "error: no command '-k'\nhint: 'help' lists the commands\n");
	run_free(&r);
}
END_TEST


/* ---- the interactive session, on a pseudo-terminal --------------------- */

/*
 * Reads the terminal until want shows up after offset from of what it
 * printed (or the time is over); returns whether it did.
 */
static bool pty_expect(int fd, char *seen, size_t cap, size_t *len, size_t from, const char *want)
{
	int waited = 0;

	while (!strstr(seen + from, want) && waited < 10000) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 50) <= 0) {
			waited += 50;
			continue;
		}
		n = read(fd, seen + *len, cap - *len - 1);
		if (n <= 0)
			break;
		*len += (size_t)n;
		seen[*len] = '\0';
	}
	return strstr(seen + from, want) != NULL;
}

/* Reads what the shell prints within 100 ms (so that it never blocks on a full terminal). */
static void pty_drain(int fd, char *seen, size_t cap, size_t *len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, 100) <= 0 || *len + 1 >= cap)
		return;
	n = read(fd, seen + *len, cap - *len - 1);
	if (n > 0) {
		*len += (size_t)n;
		seen[*len] = '\0';
	}
}

static void pty_type(int fd, const char *keys)
{
	ck_assert_int_eq(write(fd, keys, strlen(keys)), (ssize_t)strlen(keys));
}

START_TEST(interactive_session)
{
	static const struct exchange script[] = {
		/* the first Tab fetches the tree */
		{ .op = "get", .path = "/", .args = "{}", .result = "@tree" },
		{ .op = "get", .path = "/iscsi/" FIXTURE_TARGET, .args = "{\"depth\":0}",
		  .result = "@node:/iscsi/" FIXTURE_TARGET },
	};
	static char seen[65536];
	char bin[PATH_MAX], home[] = "/tmp/portico-home.XXXXXX", hist[128], *text;
	const char *argv[4];
	char *envp[256];
	size_t len = 0, mark = 0;
	struct stat st;
	struct fake f;
	int fd, status;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(home));
	fake_start(&f, script, 2);
	binary_path(bin, sizeof(bin));
	argv[0] = bin;
	argv[1] = "--socket";
	argv[2] = f.sock;
	argv[3] = NULL;
	build_env(envp, NULL, home);
	seen[0] = '\0';
	pid = forkpty(&fd, NULL, NULL, NULL);
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execve(bin, (char *const *)argv, envp);
		_exit(127);
	}
#define PROMPT "/iscsi/iqn.202...9e7b30> "
#define EXPECT(want) ck_assert_msg(pty_expect(fd, seen, sizeof(seen), &len, mark, want), "%s", seen)
/*
 * libedit may show its prompt a moment before it puts the terminal in raw
 * mode: keys that come in that moment are taken in cooked mode (echoed, Tab
 * as a character). A person never types that fast; the test waits as well.
 */
#define TYPE(keys) (poll(NULL, 0, 200), mark = len, pty_type(fd, keys))
	EXPECT("\n/> ");
	/* Tab completes the target's name from porticod's tree */
	TYPE("cd /iscsi/\t");
	EXPECT(FIXTURE_TARGET "/");
	TYPE("\r");
	EXPECT(PROMPT);
	/* several candidates: a list */
	TYPE("c\t\t");
	EXPECT("clearconfig");
	/* Ctrl-C drops the line, and the shell stays */
	TYPE("\x03");
	EXPECT(PROMPT);
	TYPE("set auth password=not-in-history\r");
	EXPECT("error: 'set' is not available");
	EXPECT(PROMPT);
	TYPE("pwd\r");
	EXPECT("\n/iscsi/" FIXTURE_TARGET "\r\n");
	EXPECT(PROMPT);
#undef EXPECT
#undef TYPE
#undef PROMPT
	/*
	 * Ctrl-D leaves. Bounded: on a loaded machine the key may come in the
	 * moment before libedit's raw mode (see TYPE), so it is sent again
	 * every 2 s; after 10 s the shell is killed and the test fails with
	 * what it had printed.
	 */
	for (int i = 0; i < 100; i++) {
		if (i % 20 == 0) {
			poll(NULL, 0, 200);
			pty_type(fd, "\x04");
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = 0;
			break;
		}
		pty_drain(fd, seen, sizeof(seen), &len); /* 100 ms */
	}
	if (pid) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		ck_abort_msg("the shell did not leave on Ctrl-D; it printed: %s", seen);
	}
	close(fd);
	fake_stop(&f, true);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);

	/* the history: the owner's alone, without the password */
	snprintf(hist, sizeof(hist), "%s/.portico_history", home);
	ck_assert_int_eq(stat(hist, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	text = fixture_read(hist);
	ck_assert_ptr_nonnull(strstr(text, "pwd"));
	ck_assert_ptr_nonnull(strstr(text, "storage1.4f1c2a9e7b30"));
	ck_assert_ptr_null(strstr(text, "not-in-history"));
	free(text);
	unlink(hist);
	rmdir(home);
}
END_TEST

static Suite *portico_suite(void)
{
	Suite *s = suite_create("portico end to end");
	TCase *tc = tcase_create("fake porticod");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, walkthrough_session);
	tcase_add_test(tc, one_shot);
	tcase_add_test(tc, error_and_hint);
	tcase_add_test(tc, batch_stops_at_the_first_error);
	tcase_add_test(tc, batch_keeps_going);
	tcase_add_test(tc, batch_from_a_file_until_exit);
	tcase_add_test(tc, local_errors_send_nothing);
	tcase_add_test(tc, socket_from_the_environment);
	tcase_add_test(tc, json_output);
	tcase_add_test(tc, json_errors);
	tcase_add_test(tc, sessions);
	tcase_add_test(tc, auth_and_get);
	tcase_add_test(tc, delete_leaves_the_deleted_node);
	tcase_add_test(tc, cd_refused);
	tcase_add_test(tc, save_restore_clear_in_order);
	tcase_add_test(tc, unreachable);
	tcase_add_test(tc, hangup);
	tcase_add_test(tc, protocol_violations);
	tcase_add_test(tc, usage);
	tcase_add_test(tc, interactive_session);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(portico_suite)
