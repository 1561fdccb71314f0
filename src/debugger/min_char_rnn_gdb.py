"""gdb pretty-printers for min-char-rnn's Vector, Matrix, ForwardCache, Grads and Params, and
a function, `$at`, that reads one entry of a Vector, a Vec or a Matrix.

src/lib.rs embeds this file in every binary that links the crate: the attribute
`#![debugger_visualizer(gdb_script_file = "debugger/min_char_rnn_gdb.py")]` copies it into
the binary's `.debug_gdb_scripts` section. gdb runs it when it loads the binary if the binary
lies in gdb's auto-load safe path, which has to be said once, from the crate's folder:

    rust-gdb -iex "add-auto-load-safe-path target" target/debugging/examples/notebook

or for good, with the line `add-auto-load-safe-path /path/to/min-char-rnn/target` in
~/.config/gdb/gdbinit. In any gdb session, `source src/debugger/min_char_rnn_gdb.py` loads it
by hand. What it shows (with `set print elements 6`):

    (gdb) print dy
    $1 = Vector(71) [0.014082244402456662, -0.9858981783395706, 0.014090781502304188, ...]
    (gdb) print params.w_hh
    $2 = Matrix(100 x 100)
      [ -0.00783826,   -0.0122362,   -0.0123853,   -0.0063419,   -0.0139342,  -0.00545758, ...]
      [ -0.00315228,  -0.00543413,  -0.00539004,    0.0129747,    0.0104145,      0.01549, ...]
      ...
    (gdb) print *grads
    $3 = Grads {
      dw_xh = Matrix(100 x 71) [[-0.0065453, 0.0222314, 0, 0, ...], ...], largest |entry| ...
      ...
      db_y  = Vector(71) [-1.64794, -4.64809, 0.352188, 0.352373, ...], largest |entry| 4.64809 at 1
    }
    (gdb) print $at(params.w_hh, 0, 1)
    $4 = -0.012236245508350745

A Vector shows as many numbers as `print elements` allows, as a Vec does; the grid and the
one-line summaries show fewer (GRID, LINE, EACH below), rounded to six significant digits.
`print/r value` shows the raw struct, without these printers. The LLDB formatters in
min_char_rnn_lldb.py show the same; keep the two in step. Standard Python only.
"""

import struct

import gdb
import gdb.printing

# How many numbers are shown, at most (fewer if `print elements` is lower): the rows and the
# columns of a Matrix's grid; the numbers on one line of ForwardCache, Grads or Params; the
# numbers of each Vector shown on the line of a list of vectors (ForwardCache's hs, ys, ps).
GRID = 6
LINE = 4
EACH = 3
# A length beyond this is not a real one: the memory read does not hold a Vec.
MAX_LEN = 1 << 40


def _limit(edge=None):
    """How many numbers to show: gdb's `print elements`, capped at `edge` if one is given."""
    n = gdb.parameter("print elements")
    if n is None or n <= 0:  # `set print elements unlimited`
        n = MAX_LEN
    return n if edge is None else min(n, edge)


def _vec(value):
    """The address of the first element and the length of a Rust `Vec`.

    The path to the buffer's pointer is private to the standard library and has changed between
    Rust versions (`buf.ptr`, `buf.inner.ptr`, each a `Unique` around a `NonNull`), so it is
    found by walking down the first field until a pointer turns up.
    """
    length = int(value["len"])
    buf = value["buf"]
    if any(field.name == "inner" for field in buf.type.fields()):
        buf = buf["inner"]
    ptr = buf["ptr"]
    while ptr.type.strip_typedefs().code != gdb.TYPE_CODE_PTR:
        ptr = ptr[ptr.type.fields()[0]]
    if length > MAX_LEN:  # memory that does not hold a Vec, such as `h_prev[1]` may show
        raise gdb.MemoryError("a length of {} is not a real one".format(length))
    return int(ptr.cast(gdb.lookup_type("usize"))), length


def _read(address, count, code="d"):
    """`count` numbers from memory: `d` for f64, `Q` for usize (one read, not one per number)."""
    if count == 0:
        return []
    size = struct.calcsize(code)
    memory = gdb.selected_inferior().read_memory(address, count * size)
    return list(struct.unpack("<{}{}".format(count, code), bytes(memory)))


def _exact(x):
    """A number as Rust's `{:?}` shows it: the shortest text that reads back as the same f64."""
    return repr(float(x))


def _short(x):
    """A number to six significant digits, for grids and one-line summaries."""
    return "{:.6g}".format(x)


def _row(values, total, fmt):
    """`[a, b, c, ...]`: the numbers shown, and `...` if there are more."""
    items = [fmt(x) for x in values]
    if len(values) < total:
        items.append("...")
    return "[" + ", ".join(items) + "]"


def _largest(values, width):
    """`, largest |entry| x at i` (`at (r, c)` for a matrix), `, all 0`, or `, NaN at i`."""

    def at(i):
        return i if width is None else "({}, {})".format(i // width, i % width)

    if not values:
        return ""
    for i, x in enumerate(values):
        if x != x:  # a NaN: training has gone wrong, and this is where to look first
            return ", NaN at {}".format(at(i))
    best = max(range(len(values)), key=lambda i: abs(values[i]))
    if values[best] == 0:
        return ", all 0"
    return ", largest |entry| {} at {}".format(_short(abs(values[best])), at(best))


class _Printer(object):
    """What every printer here shares: the value, and a message if its memory is unreadable."""

    def __init__(self, value):
        self.value = value

    def to_string(self):
        try:
            return self.text()
        except (gdb.MemoryError, gdb.error, OverflowError) as e:
            return "{} <not readable: {}>".format(self.value.type.strip_typedefs().tag, e)


class VectorPrinter(_Printer):
    """`Vector(71) [0.014082244402456662, -0.9858981783395706, ...]`."""

    def text(self):
        address, length = _vec(self.value["data"])
        shown = _read(address, min(length, _limit()))
        return "Vector({}) {}".format(length, _row(shown, length, _exact))


def _matrix_shape(value):
    rows, cols = int(value["rows"]), int(value["cols"])
    address, length = _vec(value["data"])
    if rows * cols != length:
        raise gdb.MemoryError("{} x {} with {} numbers".format(rows, cols, length))
    return rows, cols, address


class MatrixPrinter(_Printer):
    """The shape, then the first rows and columns as a grid, aligned on the right."""

    def text(self):
        rows, cols, address = _matrix_shape(self.value)
        n_rows, n_cols = min(rows, _limit(GRID)), min(cols, _limit(GRID))
        cells = []
        for r in range(n_rows):
            cells.append([_short(x) for x in _read(address + 8 * r * cols, n_cols)])
        width = max([len(cell) for row in cells for cell in row] + [1])
        lines = ["Matrix({} x {})".format(rows, cols)]
        for row in cells:
            items = [cell.rjust(width) for cell in row]
            if n_cols < cols:
                items.append("...")
            lines.append("  [" + ", ".join(items) + "]")
        if n_rows < rows:
            lines.append("  ...")
        return "\n".join(lines)


def _vector_line(value):
    """One line: `Vector(100) [first numbers, ...], largest |entry| … at i`."""
    address, length = _vec(value["data"])
    values = _read(address, length)
    shown = values[: _limit(LINE)]
    return "Vector({}) {}{}".format(length, _row(shown, length, _short), _largest(values, None))


def _matrix_line(value):
    """One line: `Matrix(100 x 71) [[row 0's first numbers, ...], ...], largest |entry| …`."""
    rows, cols, address = _matrix_shape(value)
    values = _read(address, rows * cols)
    first_row = _row(values[: min(cols, _limit(LINE))], cols, _short) if rows else "[]"
    more = ", ...]" if rows > 1 else "]"
    return "Matrix({} x {}) [{}{}{}".format(rows, cols, first_row, more, _largest(values, cols))


def _vectors_line(value):
    """A `Vec<Vector>`: how many, and the first numbers of the first and the last."""
    address, count = _vec(value)
    if count == 0:
        return "no Vector"
    vector = gdb.lookup_type("min_char_rnn::vector::Vector").pointer()

    def numbers(k):
        data, length = _vec(gdb.Value(address).cast(vector)[k]["data"])
        values = _read(data, min(length, _limit(EACH)))
        return length, _row(values, length, _short)

    length, first = numbers(0)
    text = "{} x Vector({}): [0] {}".format(count, length, first)
    if count > 1:
        text += ", ..., [{}] {}".format(count - 1, numbers(count - 1)[1])
    return text


def _field_lines(value, title):
    """`Title {`, one line per field (`name = summary`), `}`."""
    fields = [field.name for field in value.type.strip_typedefs().fields()]
    width = max(len(name) for name in fields)
    lines = [title + " {"]
    for name in fields:
        field = value[name]
        tag = field.type.strip_typedefs().tag or ""
        if tag == "min_char_rnn::vector::Vector":
            summary = _vector_line(field)
        elif tag == "min_char_rnn::matrix::Matrix":
            summary = _matrix_line(field)
        elif tag.startswith("alloc::vec::Vec<min_char_rnn::vector::Vector"):
            summary = _vectors_line(field)
        elif tag.startswith("alloc::vec::Vec<usize"):
            address, length = _vec(field)
            shown = _read(address, min(length, _limit(LINE)), "Q")
            summary = "{} ({} of them)".format(_row(shown, length, str), length)
        else:
            summary = str(field)
        lines.append("  {} = {}".format(name.ljust(width), summary))
    lines.append("}")
    return "\n".join(lines)


class ForwardCachePrinter(_Printer):
    """`ForwardCache {`, then inputs, h_prev, hs, ys, ps, one line each."""

    def text(self):
        return _field_lines(self.value, "ForwardCache")


class GradsPrinter(_Printer):
    """`Grads {`, then dw_xh, dw_hh, dw_hy, db_h, db_y, one line each."""

    def text(self):
        return _field_lines(self.value, "Grads")


class ParamsPrinter(_Printer):
    """`Params {`, then w_xh, w_hh, w_hy, b_h, b_y, one line each."""

    def text(self):
        return _field_lines(self.value, "Params")


class At(gdb.Function):
    """$at(v, i): entry i of a Vector, or element i of a Vec; $at(m, r, c): entry (r, c) of a
    Matrix.

    gdb's own `v[i]` cannot index a Vector, a Vec or a Matrix (they are structs, and `[]` in
    Rust calls the Index trait, which gdb does not know), and on a reference it indexes memory
    as C does: `h_prev[1]` is whatever lies after the Vector h_prev points at. `$at` follows a
    reference first, checks the index, and gives the entry itself, which `print` shows in full.
    """

    def __init__(self):
        super(At, self).__init__("at")

    def invoke(self, value, *index):
        while value.type.strip_typedefs().code in (gdb.TYPE_CODE_PTR, gdb.TYPE_CODE_REF):
            value = value.dereference()
        tag = value.type.strip_typedefs().tag or ""
        index = [int(i) for i in index]
        f64 = gdb.lookup_type("f64")
        if tag == "min_char_rnn::matrix::Matrix" and len(index) == 2:
            rows, cols, address = _matrix_shape(value)
            r, c = index
            if not (0 <= r < rows and 0 <= c < cols):
                outside = "$at: ({}, {}) is outside Matrix({} x {})"
                raise gdb.GdbError(outside.format(r, c, rows, cols))
            return gdb.Value(address).cast(f64.pointer())[r * cols + c]
        if tag == "min_char_rnn::vector::Vector" and len(index) == 1:
            vec, element = value["data"], f64
        elif tag.startswith("alloc::vec::Vec<") and len(index) == 1:
            vec, element = value, value.type.strip_typedefs().template_argument(0)
        else:
            raise gdb.GdbError(
                "$at(v, i) takes a Vector or a Vec, $at(m, r, c) a Matrix, not {} with {} "
                "indices".format(tag or value.type, len(index))
            )
        address, length = _vec(vec)
        (i,) = index
        if not 0 <= i < length:
            raise gdb.GdbError("$at: index {} is out of range for length {}".format(i, length))
        return gdb.Value(address).cast(element.pointer())[i]


def _printers():
    printers = gdb.printing.RegexpCollectionPrettyPrinter("min_char_rnn")
    printers.add_printer("Vector", "^min_char_rnn::vector::Vector$", VectorPrinter)
    printers.add_printer("Matrix", "^min_char_rnn::matrix::Matrix$", MatrixPrinter)
    printers.add_printer(
        "ForwardCache", "^min_char_rnn::forward::ForwardCache$", ForwardCachePrinter
    )
    printers.add_printer("Grads", "^min_char_rnn::backward::Grads$", GradsPrinter)
    printers.add_printer("Params", "^min_char_rnn::model::Params$", ParamsPrinter)
    return printers


# Embedded in a binary, the script runs with that binary as the current objfile; sourced by
# hand, there is none, and the printers apply to every program gdb debugs.
gdb.printing.register_pretty_printer(gdb.current_objfile(), _printers(), replace=True)
At()
