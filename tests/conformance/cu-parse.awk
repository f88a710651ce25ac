# SPDX-License-Identifier: GPL-2.0-or-later
#
# Reads the verbose output of libiscsi's iscsi-test-cu (CUnit's basic
# interface) and classifies every test:
#   PASS     CUnit says "passed" and the test printed no [SKIPPED] before it
#   SKIP     CUnit says "passed" and the test printed [SKIPPED] (the reason
#            is the first [SKIPPED] message)
#   FAIL     CUnit says "FAILED" (the reason is the first [FAILED] message,
#            else the first failed assertion)
#   NOVERDICT the output ended before CUnit gave a verdict (a crash or a hang
#            cut short by the timeout); counted as failed
#   FAIL     a test of the expected list (-v list=FILE, one "Suite.Test" a
#            line, as "iscsi-test-cu -l" names them under ALL.) that never
#            started: iscsi-test-cu stopped before it
# Output: one line per test, "PASS|SKIP|FAIL Suite.Test[: reason]", then
# "totals P F S". CUnit's stream, per test: "\n  Test: NAME ..." then the
# test's own lines, then "passed" or "FAILED" (at the start of a line, or
# right after "..."), then, for a failure, "\n    N. file:line  - assertion"
# records. Anything after the verdict on the same line, or before the next
# "Test:"/"Suite:", comes from suite set-up or tear-down and is ignored.

function finish() {
	if (name == "")
		return
	if (verdict == "FAILED") {
		why = firstfail != "" ? firstfail : firstassert
		print "FAIL " suite "." name (why != "" ? ": " why : "")
		nfail++
	} else if (verdict == "passed" && skipmsg != "") {
		print "SKIP " suite "." name ": " skipmsg
		nskip++
	} else if (verdict == "passed") {
		print "PASS " suite "." name
		npass++
	} else {
		print "FAIL " suite "." name ": no verdict (iscsi-test-cu stopped during it)"
		nfail++
	}
	seen[suite "." name] = 1
	name = ""
}

# Looks at one piece of a test's output (a line, or what follows "..." on
# the Test line) while no verdict is known yet.
function body(s) {
	if (verdict != "") {
		if (verdict == "FAILED" && firstassert == "" && s ~ /^    [0-9]+\. /) {
			sub(/^    [0-9]+\. /, "", s)
			firstassert = s
		}
		return
	}
	if (s ~ /^passed/) {
		verdict = "passed"
		return
	}
	if (s ~ /^FAILED/) {
		verdict = "FAILED"
		return
	}
	if (skipmsg == "" && index(s, "[SKIPPED]")) {
		skipmsg = substr(s, index(s, "[SKIPPED]") + 10)
		sub(/^ +/, "", skipmsg)
	}
	if (firstfail == "" && index(s, "[FAILED]")) {
		firstfail = substr(s, index(s, "[FAILED]") + 9)
		sub(/^ +/, "", firstfail)
	}
}

BEGIN {
	suite = "?"
	name = ""
	npass = nfail = nskip = 0
	nexp = 0
	if (list != "") {
		while ((getline l < list) > 0)
			if (l != "")
				expected[++nexp] = l
		close(list)
	}
}

/^Suite: / {
	finish()
	suite = substr($0, 8)
	next
}

/^  Test: / {
	finish()
	rest = substr($0, 9)
	i = index(rest, " ...")
	if (i == 0) {
		name = rest
		rest = ""
	} else {
		name = substr(rest, 1, i - 1)
		rest = substr(rest, i + 4)
	}
	verdict = skipmsg = firstfail = firstassert = ""
	sub(/^ +/, "", rest)
	body(rest)
	next
}

/^Run Summary:/ {
	finish()
	next
}

{
	if (name != "")
		body($0)
}

END {
	finish()
	for (i = 1; i <= nexp; i++) {
		if (!(expected[i] in seen)) {
			print "FAIL " expected[i] ": not run (iscsi-test-cu stopped before it)"
			nfail++
		}
	}
	print "totals " npass " " nfail " " nskip
}
