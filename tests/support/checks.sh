# Test support for shell tests: one "ok - WHAT" / "not ok - WHAT" line per check, counted in
# $passed and $failed (the script prints "$passed passed, $failed failed" at its end).
# Sourced: `. tests/support/checks.sh`.
passed=0
failed=0

# check WHAT COMMAND...: run the command; its status is the verdict.
check()
{
    local what=$1
    shift
    if "$@"; then
        echo "ok - $what"
        passed=$((passed + 1))
    else
        echo "not ok - $what"
        failed=$((failed + 1))
    fi
}

# wait_until SECONDS COMMAND...: run the command every 0.2 s until it succeeds, at most SECONDS.
wait_until()
{
    local t=$1 i
    shift
    for i in $(seq 1 $((t * 5))); do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}

# eq GOT WANT: equal strings, else say both.
eq() { [ "$1" = "$2" ] || { echo "  expected '$2', got '$1'" >&2; return 1; }; }
