"""LLDB formatters for min-char-rnn: Vector, Matrix, ForwardCache, Grads and Params.

The same display as the gdb printers in min_char_rnn_gdb.py (keep the two in step). Load it
into rust-lldb, from the crate's folder, with one command:

    command script import src/debugger/min_char_rnn_lldb.py

The committed .vscode/launch.json does it for CodeLLDB, in `preRunCommands` (not in
`initCommands`: CodeLLDB loads its own Rust formatters after those, and they would take
precedence over these). What it adds:

    Vector        summary `Vector(71) [0.014082244402456662, -0.9858981783395706, ...]`, and
                  children [0], [1], ... so that `frame variable dy[1]` reads one entry
    Matrix        summary: the shape, then the first rows and columns as a grid; children
                  [0], [1], ... are the rows, so `frame variable m[0][40]` reads one entry
    ForwardCache, Grads, Params
                  summary: one line per field, with the field's shape, its first numbers and
                  its largest entry in absolute value; the children are the fields

`settings set target.max-children-count N` limits how many numbers are shown, as it does for
a Vec. `frame variable --raw dy` shows the raw struct. Standard Python only.
"""

import struct

import lldb

CATEGORY = "min_char_rnn"
# How many numbers are shown, at most (fewer if max-children-count is lower): the rows and the
# columns of a Matrix's grid; the numbers on one line of ForwardCache, Grads or Params; the
# numbers of each Vector shown on the line of a list of vectors (ForwardCache's hs, ys, ps).
GRID = 6
LINE = 4
EACH = 3
# The names a `Vec<usize>` goes by (LLDB may name usize after its C type).
USIZE_VECS = ("alloc::vec::Vec<usize", "alloc::vec::Vec<unsigned long")
# A length beyond this is not a real Vector: the memory read is not one.
MAX_LEN = 1 << 40


class NotReadable(Exception):
    """The value's memory does not hold what its type says (garbage, or not yet written)."""


def _limit(valobj, edge=None):
    """How many numbers to show: LLDB's max-children-count, capped at `edge` if given."""
    n = 256
    debugger = valobj.GetTarget().GetDebugger()
    setting = debugger.GetInternalVariableValue(
        "target.max-children-count", debugger.GetInstanceName()
    )
    if setting.GetSize() > 0:
        try:
            n = int(setting.GetStringAtIndex(0))
        except ValueError:
            pass
    if n < 0:
        n = MAX_LEN
    return n if edge is None else min(n, edge)


def _target(valobj):
    """The value itself: a reference or pointer (`&Vector`) is followed to what it points at."""
    valobj = valobj.GetNonSyntheticValue()
    if valobj.GetType().IsPointerType() or valobj.GetType().IsReferenceType():
        valobj = valobj.Dereference().GetNonSyntheticValue()
    return valobj


def _member(valobj, name):
    child = valobj.GetNonSyntheticValue().GetChildMemberWithName(name)
    if not child.IsValid():
        raise NotReadable("no field {} in {}".format(name, valobj.GetTypeName()))
    return child.GetNonSyntheticValue()


def _vec(vec):
    """The address of the first element and the length of a Rust `Vec`.

    The path to the buffer's pointer is private to the standard library and has changed between
    Rust versions, so it is found by walking down the first field until a pointer turns up.
    """
    length = _member(vec, "len").GetValueAsUnsigned()
    buf = _member(vec, "buf")
    if buf.GetChildMemberWithName("inner").IsValid():
        buf = _member(buf, "inner")
    ptr = _member(buf, "ptr")
    while not ptr.GetType().IsPointerType():
        if ptr.GetNumChildren() == 0:
            raise NotReadable("no pointer in the Vec")
        ptr = ptr.GetChildAtIndex(0).GetNonSyntheticValue()
    if length > MAX_LEN:
        raise NotReadable("a length of {} is not a real one".format(length))
    return ptr.GetValueAsUnsigned(), length


def _read(valobj, address, count, code="d"):
    """`count` numbers from memory: `d` for f64, `Q` for usize (one read, not one per number)."""
    if count == 0:
        return []
    size = struct.calcsize(code)
    error = lldb.SBError()
    memory = valobj.GetProcess().ReadMemory(address, count * size, error)
    if not error.Success():
        raise NotReadable(error.GetCString())
    return list(struct.unpack("<{}{}".format(count, code), memory))


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


def _not_readable(valobj, error):
    return "{} <not readable: {}>".format(valobj.GetTypeName(), error)


def _matrix_shape(matrix):
    rows = _member(matrix, "rows").GetValueAsUnsigned()
    cols = _member(matrix, "cols").GetValueAsUnsigned()
    address, length = _vec(_member(matrix, "data"))
    if rows * cols != length:
        raise NotReadable("{} x {} with {} numbers".format(rows, cols, length))
    return rows, cols, address


def vector_summary(valobj, internal_dict):
    """`Vector(71) [0.014082244402456662, -0.9858981783395706, ...]`."""
    vector = _target(valobj)
    try:
        address, length = _vec(_member(vector, "data"))
        shown = _read(vector, address, min(length, _limit(vector)))
        return "Vector({}) {}".format(length, _row(shown, length, _exact))
    except NotReadable as e:
        return _not_readable(vector, e)


def matrix_summary(valobj, internal_dict):
    """The shape, then the first rows and columns as a grid, aligned on the right."""
    matrix = _target(valobj)
    try:
        rows, cols, address = _matrix_shape(matrix)
        n_rows = min(rows, _limit(matrix, GRID))
        n_cols = min(cols, _limit(matrix, GRID))
        cells = []
        for r in range(n_rows):
            cells.append([_short(x) for x in _read(matrix, address + 8 * r * cols, n_cols)])
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
    except NotReadable as e:
        return _not_readable(matrix, e)


def _vector_line(vector):
    address, length = _vec(_member(vector, "data"))
    values = _read(vector, address, length)
    shown = values[: _limit(vector, LINE)]
    return "Vector({}) {}{}".format(length, _row(shown, length, _short), _largest(values, None))


def _matrix_line(matrix):
    rows, cols, address = _matrix_shape(matrix)
    values = _read(matrix, address, rows * cols)
    first_row = _row(values[: min(cols, _limit(matrix, LINE))], cols, _short) if rows else "[]"
    more = ", ...]" if rows > 1 else "]"
    return "Matrix({} x {}) [{}{}{}".format(rows, cols, first_row, more, _largest(values, cols))


def _vectors_line(vec):
    """A `Vec<Vector>`: how many, and the first numbers of the first and the last."""
    address, count = _vec(vec)
    if count == 0:
        return "no Vector"
    vector_type = vec.GetTarget().FindFirstType("min_char_rnn::vector::Vector")
    if not vector_type.IsValid():
        raise NotReadable("no type min_char_rnn::vector::Vector")

    def numbers(k):
        vector = vec.CreateValueFromAddress(
            "[{}]".format(k), address + k * vector_type.GetByteSize(), vector_type
        )
        data, length = _vec(_member(vector, "data"))
        values = _read(vec, data, min(length, _limit(vec, EACH)))
        return length, _row(values, length, _short)

    length, first = numbers(0)
    text = "{} x Vector({}): [0] {}".format(count, length, first)
    if count > 1:
        text += ", ..., [{}] {}".format(count - 1, numbers(count - 1)[1])
    return text


def _fields_summary(valobj, title):
    """`Title {`, one line per field (`name = summary`), `}`."""
    value = _target(valobj)
    try:
        names = [value.GetChildAtIndex(k).GetName() for k in range(value.GetNumChildren())]
        width = max([len(name) for name in names] + [1])
        lines = [title + " {"]
        for name in names:
            field = _member(value, name)
            type_name = field.GetType().GetUnqualifiedType().GetName()
            if type_name == "min_char_rnn::vector::Vector":
                summary = _vector_line(field)
            elif type_name == "min_char_rnn::matrix::Matrix":
                summary = _matrix_line(field)
            elif type_name.startswith("alloc::vec::Vec<min_char_rnn::vector::Vector"):
                summary = _vectors_line(field)
            elif type_name.startswith(USIZE_VECS):
                address, length = _vec(field)
                shown = _read(field, address, min(length, _limit(field, LINE)), "Q")
                summary = "{} ({} of them)".format(_row(shown, length, str), length)
            else:
                summary = field.GetValue() or field.GetSummary() or "?"
            lines.append("  {} = {}".format(name.ljust(width), summary))
        lines.append("}")
        return "\n".join(lines)
    except NotReadable as e:
        return _not_readable(value, e)


def forward_cache_summary(valobj, internal_dict):
    """`ForwardCache {`, then inputs, h_prev, hs, ys, ps, one line each."""
    return _fields_summary(valobj, "ForwardCache")


def grads_summary(valobj, internal_dict):
    """`Grads {`, then dw_xh, dw_hh, dw_hy, db_h, db_y, one line each."""
    return _fields_summary(valobj, "Grads")


def params_summary(valobj, internal_dict):
    """`Params {`, then w_xh, w_hh, w_hy, b_h, b_y, one line each."""
    return _fields_summary(valobj, "Params")


class _Entries(object):
    """Synthetic children `[0]`, `[1]`, …: the entries of a Vector or the rows of a Matrix."""

    def __init__(self, valobj, internal_dict):
        self.valobj = valobj
        self.update()

    def update(self):
        self.address, self.count, self.child_type, self.stride = 0, 0, None, 0
        try:
            self.read()
        except NotReadable:
            self.count = 0
        return False

    def num_children(self):
        return self.count

    def has_children(self):
        return self.count > 0

    def get_child_index(self, name):
        try:
            return int(name.lstrip("[").rstrip("]"))
        except ValueError:
            return -1

    def get_child_at_index(self, index):
        if index < 0 or index >= self.count:
            return None
        return self.valobj.CreateValueFromAddress(
            "[{}]".format(index), self.address + index * self.stride, self.child_type
        )


def _f64(valobj):
    f64 = valobj.GetTarget().FindFirstType("f64")
    if not f64.IsValid():
        f64 = valobj.GetTarget().GetBasicType(lldb.eBasicTypeDouble)
    return f64


class VectorEntries(_Entries):
    """A Vector's entries, each an f64: `frame variable dy[1]`."""

    def read(self):
        vector = _target(self.valobj)
        self.address, self.count = _vec(_member(vector, "data"))
        self.child_type = _f64(vector)
        self.stride = 8


class MatrixRows(_Entries):
    """A Matrix's rows, each an array of `cols` f64: `frame variable m[0][40]`."""

    def read(self):
        matrix = _target(self.valobj)
        self.count, cols, self.address = _matrix_shape(matrix)
        self.child_type = _f64(matrix).GetArrayType(cols)
        self.stride = 8 * cols


# (formatter, function or class, type): a summary is the one text shown for a value, synthetic
# children are what `[i]` reads and what an IDE's tree opens into.
FORMATTERS = [
    ("summary", "vector_summary", "min_char_rnn::vector::Vector"),
    ("synthetic", "VectorEntries", "min_char_rnn::vector::Vector"),
    ("summary", "matrix_summary", "min_char_rnn::matrix::Matrix"),
    ("synthetic", "MatrixRows", "min_char_rnn::matrix::Matrix"),
    ("summary", "forward_cache_summary", "min_char_rnn::forward::ForwardCache"),
    ("summary", "grads_summary", "min_char_rnn::backward::Grads"),
    ("summary", "params_summary", "min_char_rnn::model::Params"),
]


def __lldb_init_module(debugger, internal_dict):
    # --skip-pointers: a reference (`&Vector`, a pointer to LLDB) shows as its address, as in
    # gdb, and `*h_prev` shows the Vector; otherwise every frame line would print whole values.
    for kind, function, type_name in FORMATTERS:
        option = "-F" if kind == "summary" else "-l"
        debugger.HandleCommand(
            'type {} add --category {} --skip-pointers {} {}.{} "{}"'.format(
                kind, CATEGORY, option, __name__, function, type_name
            )
        )
    # Enabled last, so that it comes before the Rust category and its catch-all formatter.
    debugger.HandleCommand("type category enable {}".format(CATEGORY))
