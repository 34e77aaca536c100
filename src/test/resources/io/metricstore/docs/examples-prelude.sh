# Sourced by ReadmeExamplesIT before the examples of one Markdown file, which it then sources from
# $EXAMPLES_SCRIPT: a copy of the file in which every line outside runnable blocks is blank, so that $LINENO is
# the file's own line number. Every request made with curl is recorded in $EXAMPLES_RECORD (status, content
# type, body, the line it was made on); the test compares those records with the answers the file shows.
#
#   requests      the number of requests made so far
#   <n>.meta      request n's status and content type, one a line
#   <n>.body      its body (also written to stdout, as curl would)
#   <n>.line      the line of the file it was made on
#   <n>.args      curl's arguments, quoted
#   answers       "<line of a shown answer> <the request it answers>", one a line, in the order reached
#   block         the line of the block running now
#   failure       the first command that failed: line, exit status, block, command (tab-separated)
#   finished      present when every block ran to its end

set -Eeuo pipefail

__record=${EXAMPLES_RECORD:?}
__script=${EXAMPLES_SCRIPT:?}
echo 0 > "$__record/requests"
: > "$__record/answers"
echo 0 > "$__record/block"

__failed() {
    local status=$1 line=$2 source=$3 command=$4
    # A command of the file itself: the prelude's own lines would mean nothing to the reader.
    [[ "$source" == "$__script" ]] || return 0
    [[ -e "$__record/failure" ]] ||
        printf '%s\t%s\t%s\t%s\n' "$line" "$status" "$(<"$__record/block")" "$command" > "$__record/failure"
}
trap '__failed $? "$LINENO" "${BASH_SOURCE[0]:-}" "$BASH_COMMAND"' ERR

__block() {
    echo "$1" > "$__record/block"
}

__answer() {
    echo "$1 $(<"$__record/requests")" >> "$__record/answers"
}

__finished() {
    : > "$__record/finished"
}

# curl as the examples call it, recording each request. The options that would take its output away from the
# record (-o, -O, -w, -D) are refused: an example shows its answer in the comment under it instead. A stream
# (text/event-stream) is read until curl's --max-time, which then counts as success.
curl() {
    local arg
    for arg in "$@"; do
        case "$arg" in
            -o | --output | -O | --remote-name | -w | --write-out | -D | --dump-header)
                echo "line ${BASH_LINENO[0]}: curl $arg is not supported in a runnable example;" \
                     "show the answer in a comment under the command instead" >&2
                return 2 ;;
        esac
    done
    local n
    n=$(( $(<"$__record/requests") + 1 ))
    echo "$n" > "$__record/requests"
    echo "${BASH_LINENO[0]}" > "$__record/$n.line"
    printf '%q ' "$@" > "$__record/$n.args"
    command curl --max-time 30 "$@" -o "$__record/$n.body" -w '%{http_code}\n%{content_type}\n' \
            > "$__record/$n.meta" || {
        local status=$?
        # An event stream does not end by itself: reading it for the time --max-time gives is its success.
        if [[ $status == 28 && "$(sed -n 2p "$__record/$n.meta")" == text/event-stream* ]]; then
            cat "$__record/$n.body"
            return 0
        fi
        [[ -e "$__record/failure" ]] || printf '%s\t%s\t%s\t%s\n' "${BASH_LINENO[0]}" "$status" \
            "$(<"$__record/block")" "curl $* (curl's exit status $status)" > "$__record/failure"
        return "$status"
    }
    cat "$__record/$n.body"
}
