# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the targetcli commands of a file in one targetcli process, as
# 'targetcli COMMAND' runs each one (the one-shot mode of /usr/bin/targetcli:
# ConfigShell.run_cmdline on a refreshed UIRoot), so that the guest starts
# Python once per file instead of once per line. Prints each command after
# a '# targetcli ' prompt, and stops at the first that fails.
# Used by tests/lio/make-fixtures.sh inside the VM lab's guest.
import importlib.machinery
import importlib.util
import sys

loader = importlib.machinery.SourceFileLoader("targetcli_main", "/usr/bin/targetcli")
spec = importlib.util.spec_from_loader("targetcli_main", loader)
tc = importlib.util.module_from_spec(spec)
loader.exec_module(tc)

# targetcli asks tcmu-runner over the D-Bus system bus for user backstores;
# the guest has no bus and no tcmu-runner: what a host without tcmu-runner
# gets (no user:* backstores), without the bus.
import targetcli.ui_backstore
targetcli.ui_backstore.UIBackstores._user_backstores = lambda self: []

shell = tc.TargetCLI("/root/.targetcli")
root = tc.UIRoot(shell, as_root=True)
root.refresh()
shell.run_cmdline("set global auto_use_daemon=false")
shell.run_cmdline("set global color_mode=false")
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        print("# targetcli " + line, flush=True)
        try:
            shell.run_cmdline(line)
        except Exception as e:
            print("FAILED: " + str(e), flush=True)
            sys.exit(1)
        sys.stdout.flush()
