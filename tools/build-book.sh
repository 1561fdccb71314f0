#!/usr/bin/env bash
# Build the book (book/ → book/book/) with pinned tools, math rendered at build time and every
# asset served from inside the book, then check the result.
#
#   tools/build-book.sh            # from any directory
#
# What it does, in order:
#   1. installs mdbook and mdbook-katex at the pinned versions, unless they are already on PATH
#      at exactly those versions (the first install compiles both: a few minutes);
#   2. fetches KaTeX's stylesheet and fonts (`npm pack katex@KATEX_VERSION`, checksum verified)
#      into book/theme/katex/ (git-ignored), unless they are already there at that version;
#   3. compiles tools/katex_mathml.rs (std only, with rustc) into target/book-tools/: the
#      preprocessor that keeps Markdown off KaTeX's MathML (see book.toml);
#   4. runs `mdbook build book` and fails on an error, or on a warning that mentions an include,
#      an anchor, or something missing / not found (mdBook itself exits 0 on those);
#   5. copies KaTeX's fonts next to the built stylesheet, where its `url(fonts/…)` points, and
#      checks that every font the stylesheet names is there;
#   6. checks that every equation carries MathML for screen readers, whole and untouched by
#      Markdown, and that every link to a heading finds it;
#   7. fails if any built HTML page points at a CDN, and checks that the search index exists.
set -euo pipefail

# mdbook-katex 0.10.0 is built against mdbook-preprocessor 0.5.3, so mdBook 0.5.3 is its exact
# partner (a newer 0.5.x also works, but mdbook-katex then warns about the version mismatch).
MDBOOK_VERSION="0.5.3"
MDBOOK_KATEX_VERSION="0.10.0"
# The KaTeX that mdbook-katex renders with: the `katex` crate 0.4.6 vendors katex.min.js 0.16.4
# (its KATEX-VERSION file). The stylesheet and fonts must come from the same release.
KATEX_VERSION="0.16.4"
KATEX_TGZ_SHA256="079333bb5ea5501b3636e40301f7af8b68663d7cd51d1b20eae02442b73c6973"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BOOK_DIR="book"
OUT_DIR="$BOOK_DIR/book"
KATEX_DIR="$BOOK_DIR/theme/katex"

say() { printf 'build-book: %s\n' "$*" >&2; }
die() { printf 'build-book: error: %s\n' "$*" >&2; exit 1; }

# --- 1. tools -----------------------------------------------------------------------------------

# Prints the version a tool reports (`mdbook v0.5.3` → `0.5.3`), or nothing if it is missing.
installed_version() {
    local tool="$1"
    command -v "$tool" >/dev/null 2>&1 || return 0
    "$tool" --version 2>/dev/null | head -n 1 | sed -E 's/^[^0-9]*([0-9]+\.[0-9]+\.[0-9]+).*$/\1/'
}

ensure_crate() {
    local crate="$1" version="$2"
    local have
    have="$(installed_version "$crate")"
    if [[ "$have" == "$version" ]]; then
        return 0
    fi
    command -v cargo >/dev/null 2>&1 || die "cargo is needed to install $crate $version"
    say "installing $crate $version (found: ${have:-none}); the first time this takes minutes"
    cargo install --locked --version "$version" "$crate"
    have="$(installed_version "$crate")"
    [[ "$have" == "$version" ]] \
        || die "$crate $version was installed but \`$crate --version\` on PATH says '${have:-nothing}' (is ~/.cargo/bin first on PATH?)"
}

# cargo install puts binaries in ~/.cargo/bin; make sure a fresh shell finds them.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
ensure_crate mdbook "$MDBOOK_VERSION"
ensure_crate mdbook-katex "$MDBOOK_KATEX_VERSION"

# --- 2. KaTeX stylesheet and fonts ---------------------------------------------------------------

# Runs in a subshell (note the parentheses) so that its EXIT trap cleans up its own temporary
# folder, and a `die` inside it fails the script through `set -e`.
fetch_katex() (
    if ! command -v npm >/dev/null 2>&1; then
        say "npm not found; installing Debian's npm package"
        command -v apt-get >/dev/null 2>&1 || die "npm is missing and apt-get is not available to install it"
        sudo=""
        [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
        $sudo apt-get update
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y npm
    fi
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    say "fetching katex@$KATEX_VERSION (stylesheet and fonts) with npm pack"
    (cd "$tmp" && npm pack --silent "katex@$KATEX_VERSION" >/dev/null)
    tgz="$tmp/katex-$KATEX_VERSION.tgz"
    [[ -f "$tgz" ]] || die "npm pack did not produce $tgz"
    sum="$(sha256sum "$tgz" | cut -d' ' -f1)"
    [[ "$sum" == "$KATEX_TGZ_SHA256" ]] \
        || die "katex-$KATEX_VERSION.tgz has sha256 $sum, expected $KATEX_TGZ_SHA256"
    tar -xzf "$tgz" -C "$tmp" package/dist/katex.min.css package/dist/fonts package/LICENSE
    rm -rf "$KATEX_DIR"
    mkdir -p "$KATEX_DIR"
    cp "$tmp/package/dist/katex.min.css" "$KATEX_DIR/"
    cp -R "$tmp/package/dist/fonts" "$KATEX_DIR/fonts"
    cp "$tmp/package/LICENSE" "$KATEX_DIR/LICENSE"
    echo "$KATEX_VERSION" >"$KATEX_DIR/VERSION"
)

if [[ ! -f "$KATEX_DIR/katex.min.css" || ! -d "$KATEX_DIR/fonts" \
      || "$(cat "$KATEX_DIR/VERSION" 2>/dev/null || true)" != "$KATEX_VERSION" ]]; then
    fetch_katex
fi

# --- 3. the MathML preprocessor -------------------------------------------------------------------

# book.toml runs it as ../target/book-tools/katex_mathml (relative to book/). Rebuilt, after its
# unit tests pass, when the source is newer than the binary.
MATHML_SRC="tools/katex_mathml.rs"
MATHML_BIN="target/book-tools/katex_mathml"
if [[ ! -x "$MATHML_BIN" || "$MATHML_SRC" -nt "$MATHML_BIN" ]]; then
    command -v rustc >/dev/null 2>&1 || die "rustc is needed to compile $MATHML_SRC"
    say "compiling and testing $MATHML_SRC"
    mkdir -p "$(dirname "$MATHML_BIN")"
    rustc --edition 2021 --test "$MATHML_SRC" -o "$MATHML_BIN-tests"
    "$MATHML_BIN-tests" --quiet >&2 || die "the tests of $MATHML_SRC failed"
    rustc --edition 2021 -O "$MATHML_SRC" -o "$MATHML_BIN"
fi

# --- 4. build -------------------------------------------------------------------------------------

say "mdbook build $BOOK_DIR"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
mdbook build "$BOOK_DIR" >"$log" 2>&1 || status=$?
cat "$log" >&2
if [[ "$status" -ne 0 ]]; then
    die "mdbook build failed (exit $status)"
fi
# mdBook logs a missing include file as an error yet exits 0 (and says nothing at all about a
# missing anchor: tests/book.rs catches that); mdbook-katex logs an equation it cannot render as a
# warning and keeps the raw TeX; an unbalanced HTML tag usually means Markdown mangled rendered
# math (a `~` or `*` in KaTeX's output read as strikethrough or emphasis). Any of these fails the
# build here.
problems="$(grep -E 'ERROR|WARN' "$log" \
    | grep -iE 'ERROR|include|anchor|missing|not found|rendering failed|built against mdbook|HTML tag' || true)"
if [[ -n "$problems" ]]; then
    printf '%s\n' "$problems" >&2
    die "mdbook reported errors, or warnings about includes, anchors, missing files or math (above)"
fi
[[ -f "$OUT_DIR/index.html" ]] || die "$OUT_DIR/index.html was not produced"

# --- 5. KaTeX fonts next to the built stylesheet --------------------------------------------------

# mdBook copies additional-css files (renamed with a content hash) but not the fonts they refer
# to, so put the fonts where the stylesheet's relative `url(fonts/…)` points.
shopt -s nullglob
built_css=("$OUT_DIR/theme/katex/"katex*.css)
shopt -u nullglob
[[ "${#built_css[@]}" -eq 1 ]] || die "expected one built KaTeX stylesheet in $OUT_DIR/theme/katex, found ${#built_css[@]}"
css_dir="$(dirname "${built_css[0]}")"
rm -rf "$css_dir/fonts"
cp -R "$KATEX_DIR/fonts" "$css_dir/fonts"
missing_fonts=0
while IFS= read -r url; do
    if [[ ! -f "$css_dir/$url" ]]; then
        say "missing font: $css_dir/$url"
        missing_fonts=1
    fi
done < <(grep -oE 'url\([^)]*\)' "${built_css[0]}" | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' | sort -u)
[[ "$missing_fonts" -eq 0 ]] || die "the KaTeX stylesheet refers to fonts that are not in the built book"

# Every chapter page must link the stylesheet (otherwise math renders unstyled).
if grep -L 'theme/katex/katex' "$OUT_DIR"/*.html | grep -v -e '/404.html$' -e '/toc.html$' >/dev/null; then
    grep -L 'theme/katex/katex' "$OUT_DIR"/*.html >&2 || true
    die "some pages do not link KaTeX's stylesheet"
fi

# KaTeX's markup never contains a strikethrough: a <del> on a line of math means Markdown read a
# `~` in rendered math (from \tilde, say) as strikethrough. Write the formula differently.
if grep -lE 'class="katex.*<del>|<del>.*class="katex' "$OUT_DIR"/*.html >/dev/null; then
    grep -lE 'class="katex.*<del>|<del>.*class="katex' "$OUT_DIR"/*.html >&2
    die "Markdown mangled rendered math (a <del> inside KaTeX output) in the pages above"
fi

# --- 6. MathML for screen readers, links to headings ----------------------------------------------

# KaTeX draws each equation as HTML marked aria-hidden, and puts MathML beside it for screen
# readers. Every equation (`<span class="katex">`) must have its `<math>`, each `<math>` its TeX
# source in an <annotation>, and nothing but MathML elements inside: an <em>, <del> or <code> in
# there means Markdown read the formula's text as Markdown (tools/katex_mathml.rs prevents it).

# How often the fixed string $1 occurs in file $2.
occurrences() { { grep -oF -- "$1" "$2" || true; } | wc -l; }
mathml_problems=0
for page in "$OUT_DIR"/*.html; do
    equations="$(occurrences '<span class="katex">' "$page")"
    maths="$(occurrences '<span class="katex-mathml"><math xmlns="http://www.w3.org/1998/Math/MathML"' "$page")"
    annotations="$(occurrences '<annotation encoding="application/x-tex">' "$page")"
    hidden="$(occurrences '<span class="katex-html" aria-hidden="true">' "$page")"
    if [[ "$maths" -ne "$equations" || "$annotations" -ne "$equations" || "$hidden" -ne "$equations" ]]; then
        say "$page: $equations equations, $maths with MathML, $annotations with their TeX, $hidden with hidden HTML"
        mathml_problems=1
    fi
    # (The page as one line, so that a formula broken across lines is still seen whole.)
    foreign="$(tr '\n' ' ' <"$page" | { grep -oP '<math\b.*?</math>' || true; } \
        | { grep -oP '</?\K[a-zA-Z][a-zA-Z0-9]*' || true; } \
        | grep -vxE 'math|semantics|annotation|mrow|mi|mn|mo|ms|mtext|mspace|msub|msup|msubsup|mfrac|msqrt|mroot|mstyle|mover|munder|munderover|mtable|mtr|mtd|mlabeledtr|mpadded|mphantom|menclose|merror' \
        | sort -u | tr '\n' ' ' || true)"
    if [[ -n "$foreign" ]]; then
        say "$page: elements that are not MathML inside <math>: $foreign"
        mathml_problems=1
    fi
done
[[ "$mathml_problems" -eq 0 ]] || die "some equations lack their MathML, or Markdown changed it (above)"
say "MathML: every equation has it ($(cat "$OUT_DIR"/*.html | occurrences '<math xmlns' -) formulas, print.html included)"

# Links to a heading (`page.html#id`, `#id`) must find that id: a heading's id is its text made
# into a slug, so renaming a heading breaks the links to it, and mdBook does not notice. (A
# heading with math carries an explicit `{#id}`; tools/katex_mathml.rs insists on it.)
broken_links=0
while IFS= read -r hit; do
    from="${hit%%:href=*}"
    href="${hit#*:href=\"}"
    href="${href%\"}"
    target="${href%%#*}"
    fragment="${href#*#}"
    [[ -n "$target" ]] && target="$OUT_DIR/$target" || target="$from"
    if [[ ! -f "$target" ]] || ! grep -qF "id=\"$fragment\"" "$target"; then
        say "$from: link to $href, which does not exist"
        broken_links=1
    fi
done < <(grep -oE 'href="[^"#:]*#[^"]*"' "$OUT_DIR"/*.html || true)
[[ "$broken_links" -eq 0 ]] || die "links to headings that do not exist (above)"

# --- 7. offline: no CDN, search index present -----------------------------------------------------

cdn_hits="$(grep -rIlE 'cdn|jsdelivr|unpkg|googleapis' --include='*.html' "$OUT_DIR" || true)"
if [[ -n "$cdn_hits" ]]; then
    grep -rIonE '.{0,60}(cdn|jsdelivr|unpkg|googleapis).{0,60}' --include='*.html' "$OUT_DIR" >&2 || true
    die "built HTML refers to a CDN (the book must work offline)"
fi

shopt -s nullglob
search_index=("$OUT_DIR"/searchindex*.js)
shopt -u nullglob
[[ "${#search_index[@]}" -ge 1 ]] || die "no searchindex*.js in $OUT_DIR: search would not work"
grep -q 'character' "${search_index[0]}" || die "the search index does not contain the chapters' words"

say "ok: $ROOT/$OUT_DIR/index.html"
