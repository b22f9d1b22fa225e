// Command typesdump is go/types' view of the expressions goexplint's type provider
// (goexplint/analysis/types.py) claims, for tests/test_types_oracle.py.  For each package directory
// given (the non-test .go files go/build selects for the host), it type-checks the package from source
// and prints, for every variable identifier, field selector and single-valued call, one JSON object:
//
//	{"f":FILE,"s":START,"e":END,"k":"ident"|"sel"|"call","t":TYPE,"a":ALIASED}
//
// START/END are byte offsets.  TYPE is "*"? + "pkg/path.Name" for named types ("" path: the checked
// package; "local:" before a type declared in a function), a basic type's name, or "unnamed" for any
// other type.  ALIASED is the same for the type with aliases resolved.  Packages that fail to type-check
// print {"k":"skip","f":DIR,"why":...}.
package main

import (
	"encoding/json"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
)

type entry struct {
	F string `json:"f"`
	S int    `json:"s"`
	E int    `json:"e"`
	K string `json:"k"`
	T string `json:"t"`
	A string `json:"a"`
}

func main() {
	out := json.NewEncoder(os.Stdout)
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	for _, dir := range os.Args[1:] {
		bp, err := build.ImportDir(dir, 0)
		if err != nil {
			out.Encode(map[string]string{"k": "skip", "f": dir, "why": err.Error()})
			continue
		}
		var files []*ast.File
		for _, name := range bp.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
			if err == nil {
				files = append(files, f)
			}
		}
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
			Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
		conf := types.Config{Importer: imp, Error: func(error) {}}
		pkg, err := conf.Check(bp.ImportPath, fset, files, info)
		if err != nil {
			out.Encode(map[string]string{"k": "skip", "f": dir, "why": err.Error()})
			continue
		}
		show := func(t types.Type) string { return shown(pkg, t) }
		emit := func(n ast.Node, kind string, t types.Type) {
			if t == nil {
				return
			}
			if _, tuple := t.(*types.Tuple); tuple {
				return
			}
			p, e := fset.Position(n.Pos()), fset.Position(n.End())
			out.Encode(entry{p.Filename, p.Offset, e.Offset, kind, show(t), show(types.Unalias(t))})
		}
		for id, obj := range info.Defs {
			if v, ok := obj.(*types.Var); ok && !v.IsField() {
				emit(id, "ident", v.Type())
			}
		}
		for id, obj := range info.Uses {
			if v, ok := obj.(*types.Var); ok && !v.IsField() {
				emit(id, "ident", v.Type())
			}
		}
		for sel, s := range info.Selections {
			if s.Kind() == types.FieldVal {
				emit(sel, "sel", s.Type())
			}
		}
		for expr, tv := range info.Types {
			if call, ok := expr.(*ast.CallExpr); ok && tv.IsValue() {
				emit(call, "call", tv.Type)
			}
		}
	}
}

func shown(pkg *types.Package, t types.Type) string {
	star := ""
	if p, ok := t.(*types.Pointer); ok {
		star, t = "*", p.Elem()
	}
	switch n := t.(type) {
	case *types.Named:
		return star + objName(pkg, n.Obj())
	case *types.Alias:
		return star + objName(pkg, n.Obj())
	case *types.Basic:
		switch n.Kind() {
		case types.Byte:
			return star + "uint8"
		case types.Rune:
			return star + "int32"
		case types.UnsafePointer:
			return star + "unsafe.Pointer"
		}
		return star + n.Name()
	case *types.TypeParam:
		return "typeparam"
	}
	return star + "unnamed"
}

func objName(pkg *types.Package, obj *types.TypeName) string {
	if obj.Pkg() == nil {
		return obj.Name() // error, comparable
	}
	if obj.Pkg() != pkg {
		path := obj.Pkg().Path() // as goexplint keys imports: without a vendor/ prefix
		if i := strings.LastIndex(path, "vendor/"); i == 0 || (i > 0 && path[i-1] == '/') {
			path = path[i+len("vendor/"):]
		}
		return path + "." + obj.Name()
	}
	if obj.Parent() != nil && obj.Parent() != pkg.Scope() {
		return "local:" + obj.Name()
	}
	return obj.Name()
}
