// Command modeldump is the Go toolchain's view of the declarations goexplint's package model
// indexes, for tests/test_model_oracle.py.  For every .go file under the given roots (testdata,
// vendor and dot/underscore directories skipped, as goexplint's discovery does) it prints one JSON
// object per line:
//
//	{"k":"method","file":F,"recv":"T","name":"M","ptr":true}
//	{"k":"struct","file":F,"name":"S","fields":[["name","written type",embedded],...]}
//	{"k":"var","file":F,"name":"x"}
//	{"k":"skip","file":F,"why":"..."}   (files go/parser rejects)
//
// Only top-level declarations.  Written types are the exact source bytes of the type expression.
package main

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	out := json.NewEncoder(os.Stdout)
	for _, root := range os.Args[1:] {
		var files []string
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			name := d.Name()
			if d.IsDir() {
				if path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(name, ".go") && d.Type().IsRegular() {
				files = append(files, path)
			}
			return nil
		})
		sort.Strings(files)
		for _, path := range files {
			dump(out, path)
		}
	}
}

func dump(out *json.Encoder, path string) {
	src, err := os.ReadFile(path)
	if err != nil {
		out.Encode(map[string]any{"k": "skip", "file": path, "why": "unreadable"})
		return
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		out.Encode(map[string]any{"k": "skip", "file": path, "why": "go/parser: " + err.Error()})
		return
	}
	text := func(n ast.Node) string {
		return string(src[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset])
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil || len(d.Recv.List) != 1 {
				continue
			}
			typ := d.Recv.List[0].Type
			ptr := false
			for {
				if p, ok := typ.(*ast.ParenExpr); ok {
					typ = p.X
				} else if s, ok := typ.(*ast.StarExpr); ok {
					ptr = true
					typ = s.X
				} else {
					break
				}
			}
			switch g := typ.(type) {
			case *ast.IndexExpr:
				typ = g.X
			case *ast.IndexListExpr:
				typ = g.X
			}
			id, ok := typ.(*ast.Ident)
			if !ok {
				continue
			}
			out.Encode(map[string]any{"k": "method", "file": path, "recv": id.Name, "name": d.Name.Name, "ptr": ptr})
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					st, ok := s.Type.(*ast.StructType)
					if !ok || s.Assign.IsValid() {
						continue
					}
					fields := [][]any{}
					for _, fld := range st.Fields.List {
						written := text(fld.Type)
						if len(fld.Names) == 0 {
							fields = append(fields, []any{embeddedName(fld.Type), written, true})
						}
						for _, n := range fld.Names {
							fields = append(fields, []any{n.Name, written, false})
						}
					}
					out.Encode(map[string]any{"k": "struct", "file": path, "name": s.Name.Name, "fields": fields})
				case *ast.ValueSpec:
					if d.Tok != token.VAR {
						continue
					}
					for _, n := range s.Names {
						if n.Name != "_" {
							out.Encode(map[string]any{"k": "var", "file": path, "name": n.Name})
						}
					}
				}
			}
		}
	}
}

// embeddedName is the field name Go gives an embedded field: the type name without package,
// pointer or type arguments.
func embeddedName(t ast.Expr) string {
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.SelectorExpr:
			return x.Sel.Name
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}
