# Copyright 2026 The trove-gtid-strategy authors
#
# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""MySQL option files (``my.cnf``), read the way the client reads them.

A password in a command's arguments is visible to every local user in
the process list; the MySQL and MariaDB clients read it from an option
file instead, and so do DSNs here (``?defaults_file=PATH``, and
``~/.my.cnf``). An operator's existing file must mean the same thing to
us as to their ``mysql`` client, so this follows the client's own
reader (``mysys/my_default``), as ``my_print_defaults`` of MariaDB
10.11, 11.8 and MySQL 9.7 showed it on the same files:

* ``[group]`` headers: the name is what lies between ``[`` and ``]``
  less trailing blanks (leading blanks stay), compared without case;
  anything after ``]`` is ignored;
* ``#`` and ``;`` start a comment line; a ``#`` outside quotes ends an
  option line anywhere (``a#b`` is ``a``);
* ``name=value`` with blanks around both trimmed, ``name`` alone; names
  compared without case (as MariaDB's client does; MySQL's refuses
  ``Password``), ``-`` and ``_`` alike, a ``loose-`` prefix dropped;
* a value that starts and ends with the same quote loses both quotes
  (``"a b"`` is ``a b``; ``"a" "b"`` is ``a" "b``); then ``\\n \\t \\r
  \\b \\s \\" \\' \\\\`` are the characters they name and any other
  backslash stays as it is;
* options of the groups read are taken in file order: a later one wins,
  whichever of those groups holds it;
* an option before any group, or a ``[`` without ``]``, makes the file
  unreadable (the client refuses it too).

Python's ``configparser`` reads another language: an indented line
continues the previous value, ``#`` ends a value only after a blank, and
quotes and escapes stay in the value. A password read that way would
differ from the one the client logs in with, so the lines are read
here. ``!include`` and ``!includedir`` are refused (the options must be
in the file named), and so is ``password`` without a value, with which
the client would prompt for one; TLS options are refused too, unless
they turn TLS off: a DSN has no TLS settings, and a connection that
silently ignored ``ssl-ca`` would not be the one the file asks for.
"""

import os
import stat

from trove_gtid_strategy import exceptions

#: The options a DSN takes from an option file.
KEYS = ('user', 'password', 'host', 'port', 'socket')

_ESCAPES = {'n': '\n', 't': '\t', 'r': '\r', 'b': '\b', 's': ' ',
            '"': '"', "'": "'", '\\': '\\'}
_OFF = ('0', 'off', 'false', 'disabled', 'no')
# The client's blanks (ASCII isspace; Python's str.strip also takes
# Unicode spaces, which a password may hold).
_BLANKS = ' \t\n\v\f\r'


class OptionFileError(exceptions.InvalidInput):
    """An option file that cannot be read, or holds what is refused."""


def read(path, groups=('client',)):
    """The :data:`KEYS` options of ``groups`` in the file at ``path``:
    ``{name: value}``. Raises :class:`OptionFileError` (naming the file
    and line, never a value) for a file that is missing, unreadable,
    world-writable, not UTF-8, or malformed. A pipe is read too
    (``?defaults_file=<(vault-read db1)`` in bash), once.
    """
    try:
        with open(path, 'rb') as f:
            mode = os.fstat(f.fileno()).st_mode
            data = f.read()
    except OSError as exc:
        raise OptionFileError('cannot read %s: %s'
                              % (path, exc.strerror or exc)) from None
    if stat.S_ISREG(mode) and mode & stat.S_IWOTH:
        # The client ignores such a file: anyone could point it elsewhere.
        raise OptionFileError(
            '%s is world-writable, so anyone could change where it '
            'connects: the mysql client ignores it; chmod o-w it' % path)
    try:
        text = data.decode('utf-8-sig')
    except UnicodeDecodeError as exc:
        raise OptionFileError('%s is not UTF-8 text (byte %d)'
                              % (path, exc.start)) from None
    return parse(text, path, groups)


def parse(text, path, groups=('client',)):
    """:func:`read` on ``text`` (``path`` names it in messages)."""
    found = {}
    for where, name, value in options(text, path, groups):
        _take(found, name, value, where)
    return found


def options(text, path, groups=('client',)):
    """Every option of ``groups`` in ``text``, in file order, as the
    client collects them (what ``my_print_defaults`` prints): ``(where,
    name, value)``, the name in its canonical form, the value None for
    a name alone. Raises :class:`OptionFileError` for what the client
    refuses, and for ``!include``.
    """
    wanted = {g.lower() for g in groups}
    found = []
    selected = None   # None: no group yet
    # Lines end at \n only (str.splitlines also splits at \f, \x1c...).
    for number, raw in enumerate(text.split('\n'), 1):
        line = raw.lstrip(_BLANKS)
        if not line or line[0] in '#;':
            continue
        where = '%s line %d' % (path, number)
        if line[0] == '!':
            directive = line[1:].lstrip(_BLANKS).split(None, 1)
            if directive and directive[0] in ('include', 'includedir'):
                raise OptionFileError(
                    '%s: !%s is not supported: put the options in %s '
                    'itself' % (where, directive[0], path))
            continue   # the client ignores other directives
        if line[0] == '[':
            end = line.find(']')
            if end < 0:
                raise OptionFileError('%s: a group header without ]'
                                      % where)
            selected = line[1:end].rstrip(_BLANKS).lower() in wanted
            continue
        if selected is None:
            raise OptionFileError('%s: an option before any [group]'
                                  % where)
        if selected:
            found.append((where,) + _option(line))
    return found


def _option(line):
    """``(name, value or None)`` of an option line, comment removed."""
    line = _remove_comment(line)
    name, sep, value = line.partition('=')
    name = name.rstrip(_BLANKS).lower().replace('_', '-')
    if name.startswith('loose-'):
        name = name[len('loose-'):]
    if not sep:
        return name, None
    value = value.strip(_BLANKS)
    if len(value) > 1 and value[0] in '\'"' and value[0] == value[-1]:
        value = value[1:-1]
    return name, _unescape(value)


def _remove_comment(line):
    """``line`` up to a ``#`` outside quotes (as the client cuts it)."""
    quote, escaped = None, False
    for i, char in enumerate(line):
        if char in '\'"' and not escaped:
            if quote is None:
                quote = char
            elif quote == char:
                quote = None
        if quote is None and char == '#':
            return line[:i]
        escaped = quote is not None and char == '\\' and not escaped
    return line


def _unescape(value):
    out = []
    i = 0
    while i < len(value):
        char = value[i]
        if char == '\\' and i + 1 < len(value):
            i += 1
            out.append(_ESCAPES.get(value[i], '\\' + value[i]))
        else:
            out.append(char)
        i += 1
    return ''.join(out)


def _take(found, name, value, where):
    """Keep ``name`` if it is one of :data:`KEYS`; refuse what would be
    read otherwise than the client reads it.
    """
    if not name:
        raise OptionFileError('%s: an option without a name' % where)
    if name in KEYS:
        if value is None:
            if name == 'password':
                raise OptionFileError(
                    '%s: password without a value (the mysql client '
                    'would prompt for it; trove-gtid does not): give '
                    'the value' % where)
            raise OptionFileError('%s: %s without a value' % (where, name))
        found[name] = value
        return
    if any(key.startswith(name) for key in KEYS):
        # The client takes a unique prefix (pass= for password=).
        raise OptionFileError('%s: %s: write the option\'s full name (%s)'
                              % (where, name, ', '.join(
                                  k for k in KEYS if k.startswith(name))))
    bare = name
    for prefix in ('skip-', 'disable-', 'enable-'):
        if bare.startswith(prefix):
            bare = bare[len(prefix):]
    if not bare.startswith(('ssl', 'tls')):
        return   # another client option: nothing a DSN connects with
    turned_off = name.startswith(('skip-', 'disable-')) or (
        value is not None and value.lower() in _OFF)
    if not turned_off:
        raise OptionFileError(
            '%s: %s: TLS options of an option file are not applied '
            '(a DSN has none), and a connection without them is not the '
            'one this file asks for: remove it, or use a file of '
            'trove-gtid\'s own' % (where, name))
