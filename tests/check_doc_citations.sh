#!/usr/bin/env bash
# Keeps the repository self-contained: source comments may cite only the
# repository's own design docs, as docs/<page>.md "<section>" (more quoted
# sections may follow, separated by ", " or " and "), or as docs/<page>.md #N
# for the numbered heading "N. ..." (docs/decisions.md #1).
#
#   check_doc_citations.sh ROOT        check the tree at ROOT (ctest doc_citations)
#   check_doc_citations.sh --self-test check that the checker catches each fault
#
# Fails on: a spec file outside the repository (container-plugin, engines,
# plugin-abi or decisions .md not under docs/, or shared/spec/), a bare
# section sign or "Appendix A/B" (numbered sections of those specs), a cited
# docs/ page that does not exist, a cited section that is no heading of that
# page, and a cited section that does not close on its line.
set -uo pipefail

# Where comments live: sources, scripts and build files (not the fuzz corpora).
SCOPE=(plugin host include tests tools bench fuzz scripts CMakeLists.txt)
SELF=$(readlink -f "$0")

# Files of SCOPE under $1 (this checker excepted: its self-test holds bad
# citations), NUL-separated, relative to $1.
scope_files() {
	(cd "$1" && for p in "${SCOPE[@]}"; do if [ -e "$p" ]; then find "$p" -type f; fi; done) |
		grep -v -e '^fuzz/corpus/' -e '^tests/check_doc_citations\.sh$' | sort |
		while read -r f; do
			[ "$(readlink -f "$1/$f")" = "$SELF" ] || printf '%s\0' "$f"
		done
}

# The headings of a Markdown page, without their leading #s, one per line.
headings() {
	sed -n 's/^#\{1,6\}[[:space:]]\{1,\}//p' "$1" | sed 's/[[:space:]]*$//'
}

# grep -I over every scope file at once (binary files skipped): FILE:LINE:...
scope_grep() {
	local root=$1
	shift
	(cd "$root" && scope_files . | xargs -0 -r grep -IHn "$@") || true
}

CITE='docs/[A-Za-z0-9_.-]+\.md( #[0-9]+\b|((,| and)? "[^"]+")*)'

check_tree() {
	local root=$1 bad=0 hit f line cite page sections num sec
	[ -n "$(scope_files "$root" | tr -d '\0')" ] || { echo "no source files under $root"; return 2; }
	# 1. Specs that are not in the repository, and their numbered sections.
	while IFS= read -r hit; do
		echo "${hit%:*}: cites a spec outside the repository"
		bad=1
	done < <(scope_grep "$root" -oP '(?<!docs/)\b(container-plugin|plugin-abi|engines|decisions)\.md|shared/spec|§|\bAppendix [AB]\b' |
		cut -d: -f1,2 | sort -u | sed 's/$/:/')
	# 2. Cited pages and sections.
	while IFS= read -r hit; do
		f=${hit%%:*}
		hit=${hit#*:}
		line=${hit%%:*}
		cite=${hit#*:}
		page=${cite%%.md*}.md
		if [ ! -f "$root/$page" ]; then
			echo "$f:$line: cites $page, which does not exist"
			bad=1
			continue
		fi
		sections=$(grep -oP '"[^"]+"' <<<"${cite#"$page"}" | sed 's/^"//; s/"$//')
		num=$(grep -oP '(?<= #)[0-9]+$' <<<"$cite" || true)
		if [ -n "$num" ] && ! headings "$root/$page" | grep -q "^$num\\. "; then
			echo "$f:$line: cites $page #$num, which has no heading \"$num. ...\""
			bad=1
		fi
		while IFS= read -r sec; do
			[ -z "$sec" ] && continue
			if ! headings "$root/$page" | grep -qxF -- "$sec"; then
				echo "$f:$line: cites $page \"$sec\", which is no section of it"
				bad=1
			fi
		done <<<"$sections"
	done < <(scope_grep "$root" -oP "$CITE")
	# 3. A section name must stay on the citation's line.
	while IFS= read -r hit; do
		echo "$(cut -d: -f1,2 <<<"$hit"): a cited section must close on its own line"
		bad=1
	done < <(scope_grep "$root" -P 'docs/[A-Za-z0-9_.-]+\.md((,| and)? "[^"]+")*(,| and)? "[^"]*$')
	return $bad
}

# Builds a small tree with one source file holding $2 (see docs/x.md below).
make_case() {
	local dir=$1 text=$2
	mkdir -p "$dir/plugin" "$dir/docs"
	printf '# X\n\n## Sec\n\n### Other sec\n\n## 1. Numbered\n' >"$dir/docs/x.md"
	printf '/* %s */\nint x;\n' "$text" >"$dir/plugin/a.c"
}

self_test() {
	local tmp n=0 fails=0 want text
	tmp=$(mktemp -d) || return 2
	trap 'rm -rf "$tmp"' RETURN
	while IFS='|' read -r want text; do
		n=$((n + 1))
		make_case "$tmp/$n" "$text"
		check_tree "$tmp/$n" >/dev/null
		local rc=$?
		if { [ "$want" = pass ] && [ $rc -ne 0 ]; } || { [ "$want" = fail ] && [ $rc -ne 1 ]; }; then
			echo "self-test: expected $want (rc $rc) for: $text"
			fails=1
		fi
	done <<'EOF'
pass|see (docs/x.md "Sec") and docs/x.md
pass|see docs/x.md "Sec", "Other sec" and docs/x.md "Other sec"
pass|see docs/x.md "Sec" and "Other sec"
pass|see (docs/x.md #1) and docs/x.md #1: why
fail|see (docs/x.md #2)
fail|see (container-plugin.md §5)
fail|see engines.md §3.1
fail|see (plugin-abi.md Appendix B)
fail|see decisions.md 1
fail|written from ../shared/spec/abi
fail|as the spec says (§6.3)
fail|the vtable order of Appendix B
fail|see (docs/missing.md "Sec")
fail|see (docs/x.md "No such section")
fail|see docs/x.md "Sec", "Nope"
fail|see (docs/x.md "Sec
EOF
	[ $fails -eq 0 ] && echo "self-test: $n cases ok"
	return $fails
}

case "${1:-}" in
--self-test) self_test ;;
"") echo "usage: $0 ROOT | --self-test" >&2; exit 2 ;;
*)
	check_tree "$1"
	rc=$?
	[ $rc -eq 0 ] && echo "doc citations: ok"
	exit $rc
	;;
esac
