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

"""What a strategy uses of Trove's ``service`` and ``adm`` objects, read
from its source code.

Trove hands every strategy call the guest's App (``service``) and, for
some, its Admin object (``adm``; ``admin_service`` in
``cleanup_source_on_replica_detach``). Every function, in every module
the strategy's module imports (transitively, within its package), that
takes a parameter of one of those names is read: each attribute taken
from that parameter, how a method of it is called (how many positional
arguments, which keywords), which attributes are only probed with
``getattr(obj, name, default)`` (optional), and which methods are called
on what ``execute_sql`` returns. The lists are made from the code, so a
new use on our side, or a method gone on Trove's, fails the tests that
compare them.
"""

import ast
import collections
import importlib.util
import os

ROLES = {'service': 'service', 'adm': 'admin', 'admin_service': 'admin'}

Use = collections.namedtuple('Use', 'role name calls optional where')


def module_file(name):
    """The source file of module ``name``; None for what is not a module
    (a class or function imported from one).
    """
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, AttributeError, ValueError):
        return None
    return spec.origin if spec else None


def import_closure(module_name):
    """``{module name: file}`` of ``module_name`` and every module of its
    top-level package it imports, transitively.
    """
    package = module_name.split('.')[0]
    seen = {}
    todo = [module_name]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = module_file(name)
        if not path or not path.endswith('.py'):
            continue
        seen[name] = path
        with open(path, encoding='utf-8') as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                base = node.module
                if node.level:
                    parts = name.split('.')[:-node.level]
                    base = '.'.join(parts + [node.module])
                names = [base] + ['%s.%s' % (base, a.name)
                                  for a in node.names]
            else:
                continue
            for candidate in names:
                if candidate.split('.')[0] == package and \
                        module_file(candidate):
                    todo.append(candidate)
    return seen


class _Reader(ast.NodeVisitor):
    """Collects the uses inside one function with role parameters."""

    def __init__(self, params, where):
        self.params = params          # parameter name -> role
        self.where = where
        self.uses = []
        self.result_names = set()     # variables holding execute_sql results
        self.result_methods = set()

    def _role(self, node):
        if isinstance(node, ast.Name) and node.id in self.params:
            return self.params[node.id]
        return None

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Name) and func.id == 'getattr' and \
                len(node.args) >= 2 and self._role(node.args[0]) and \
                isinstance(node.args[1], ast.Constant):
            self.uses.append(Use(self._role(node.args[0]),
                                 node.args[1].value, None,
                                 len(node.args) == 3, self.where))
        if isinstance(func, ast.Attribute) and self._role(func.value):
            positional = len(node.args)
            if any(isinstance(a, ast.Starred) for a in node.args):
                positional = None
            keywords = tuple(sorted(k.arg for k in node.keywords if k.arg))
            self.uses.append(Use(self._role(func.value), func.attr,
                                 (positional, keywords), False, self.where))
            for arg in node.args:
                self.visit(arg)
            for keyword in node.keywords:
                self.visit(keyword.value)
            return
        if isinstance(func, ast.Attribute) and self._is_result(func.value):
            self.result_methods.add(func.attr)
        self.generic_visit(node)

    def _is_result(self, node):
        if isinstance(node, ast.Name):
            return node.id in self.result_names
        return (isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == 'execute_sql')

    def visit_Assign(self, node):
        if self._is_result(node.value):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.result_names.add(target.id)
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if self._role(node.value):
            self.uses.append(Use(self._role(node.value), node.attr, None,
                                 False, self.where))
        self.generic_visit(node)


def _functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def uses_in_file(path, module):
    """Uses of role parameters in one file, and the methods called on
    ``execute_sql`` results there.
    """
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    uses, result_methods = [], set()
    for func in _functions(tree):
        args = func.args
        names = [a.arg for a in args.posonlyargs + args.args
                 + args.kwonlyargs]
        params = {n: ROLES[n] for n in names if n in ROLES}
        reader = _Reader(params, '%s.%s:%d' % (module, func.name,
                                               func.lineno))
        for statement in func.body:
            reader.visit(statement)
        uses += reader.uses
        result_methods |= reader.result_methods
    return uses, result_methods


def strategy_uses(module_name):
    """``(uses, result methods)`` of the strategy module's closure."""
    uses, result_methods = [], set()
    for name, path in sorted(import_closure(module_name).items()):
        found, methods = uses_in_file(path, name)
        uses += found
        result_methods |= methods
    return uses, result_methods


def summary(uses):
    """``{(role, name): {'calls': set, 'optional': bool, 'where': [..]}}``;
    a name is optional only if every use of it is a default-giving
    ``getattr``.
    """
    table = {}
    for use in uses:
        entry = table.setdefault((use.role, use.name), {
            'calls': set(), 'optional': True, 'where': []})
        if use.calls is not None:
            entry['calls'].add(use.calls)
        entry['optional'] = entry['optional'] and use.optional
        entry['where'].append(use.where)
    return table


def files_of(paths):
    """Uses in explicit files (Trove's strategy modules)."""
    uses = []
    for path in paths:
        found, _ = uses_in_file(path, os.path.basename(path))
        uses += found
    return uses
