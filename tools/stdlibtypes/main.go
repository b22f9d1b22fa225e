// Command stdlibtypes writes goexplint/analysis/data/stdlib_types.json: the standard library's exported
// signatures, as far as goexplint's type provider (goexplint/analysis/types.py) can use them.  It is run
// at development time, whenever the Go release goexplint targets changes; the linter reads the
// committed file and never needs Go:
//
//	go run tools/stdlibtypes/main.go > goexplint/analysis/data/stdlib_types.json
//
// Every package under $(go env GOROOT)/src except cmd/..., vendor/... and testdata is type-checked from
// source for each of a few platforms.  For each package (keyed by import path) the file holds
//
//	"f": {Func: [result, ...]}                  exported functions' results
//	"v": {Var: type}                            exported package-level variables
//	"t": {Type: {"m": {Method: [result, ...]},   exported types: the methods of T's method set (value
//	             "pm": {Method: [result, ...]},  receivers, interface methods), those *T adds
//	             "f": {Field: type},             (pointer receivers), the exported fields (promoted
//	             "u": type}}                     ones too) and, for a named slice, array, map, channel
//	                                             or basic type, its underlying type
//
// A type is a string: "[*]path.Name" for a named type of package path, "[*]name" for a predeclared one
// ("error", "int", "any"...), "[*]~spelling" for an unnamed type (go/types' spelling, names qualified by
// their full import path), and "" where the provider must say "unknown" (a type parameter occurs in it,
// a pointer to a pointer, a type declared in a function).  An entry whose type differs between the
// platforms is left out (unknown); one that exists on some platforms only is kept.
package main

import (
	"encoding/json"
	"fmt"
	"go/build"
	"go/importer"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

var platforms = []string{"linux/amd64", "darwin/arm64", "windows/amd64"}

type typeInfo struct {
	Methods    map[string][]string `json:"m,omitempty"`
	PtrMethods map[string][]string `json:"pm,omitempty"`
	Fields     map[string]string   `json:"f,omitempty"`
	Underlying string              `json:"u,omitempty"`
}

type pkgInfo struct {
	Funcs map[string][]string  `json:"f,omitempty"`
	Vars  map[string]string    `json:"v,omitempty"`
	Types map[string]*typeInfo `json:"t,omitempty"`
}

func main() {
	goroot := build.Default.GOROOT
	paths := stdPackages(filepath.Join(goroot, "src"))
	var views []map[string]*pkgInfo
	for _, plat := range platforms {
		goos, goarch, _ := strings.Cut(plat, "/")
		views = append(views, describe(paths, goos, goarch))
	}
	merged := merge(views)
	names := make([]string, 0, len(merged))
	for p := range merged {
		names = append(names, p)
	}
	sort.Strings(names)
	// one package a line: a regenerated file diffs readably
	head, _ := json.Marshal(map[string]interface{}{"go": runtime.Version(), "platforms": platforms})
	fmt.Printf("%s,\n\"packages\":{\n", strings.TrimSuffix(string(head), "}"))
	for i, p := range names {
		k, _ := json.Marshal(p)
		v, _ := json.Marshal(merged[p])
		sep := ","
		if i == len(names)-1 {
			sep = ""
		}
		fmt.Printf("%s:%s%s\n", k, v, sep)
	}
	fmt.Println("}}")
}

// stdPackages lists the import paths of the directories of src that may hold a package.
func stdPackages(src string) []string {
	var out []string
	filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(src, path)
		rel = filepath.ToSlash(rel)
		base := d.Name()
		if rel == "cmd" || rel == "vendor" || base == "testdata" || strings.HasPrefix(base, ".") ||
			strings.HasPrefix(base, "_") {
			return filepath.SkipDir
		}
		if rel != "." {
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// describe type-checks the packages for one platform.
func describe(paths []string, goos, goarch string) map[string]*pkgInfo {
	build.Default.GOOS, build.Default.GOARCH, build.Default.CgoEnabled = goos, goarch, false
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	out := map[string]*pkgInfo{}
	for _, path := range paths {
		bp, err := build.Default.Import(path, "", 0)
		if err != nil || bp.Name == "main" || path == "builtin" || len(bp.GoFiles) == 0 {
			continue
		}
		pkg, err := imp.Import(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s/%s: %s: %v\n", goos, goarch, path, err)
			continue
		}
		out[path] = info(pkg)
	}
	return out
}

func info(pkg *types.Package) *pkgInfo {
	pi := &pkgInfo{Funcs: map[string][]string{}, Vars: map[string]string{}, Types: map[string]*typeInfo{}}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		if !token.IsExported(name) {
			continue
		}
		switch obj := scope.Lookup(name).(type) {
		case *types.Func:
			pi.Funcs[name] = results(obj.Type().(*types.Signature))
		case *types.Var:
			pi.Vars[name] = enc(obj.Type())
		case *types.TypeName:
			pi.Types[name] = members(obj.Type())
		}
	}
	return pi
}

func results(sig *types.Signature) []string {
	out := []string{}
	for i := 0; i < sig.Results().Len(); i++ {
		out = append(out, enc(sig.Results().At(i).Type()))
	}
	return out
}

func members(t types.Type) *typeInfo {
	ti := &typeInfo{Methods: map[string][]string{}, PtrMethods: map[string][]string{}, Fields: map[string]string{}}
	under := t.Underlying()
	if _, iface := under.(*types.Interface); iface {
		addMethods(ti.Methods, types.NewMethodSet(t), nil)
		return ti
	}
	value := types.NewMethodSet(t)
	addMethods(ti.Methods, value, nil)
	addMethods(ti.PtrMethods, types.NewMethodSet(types.NewPointer(t)), value)
	switch u := under.(type) {
	case *types.Struct:
		for _, name := range fieldNames(u, 0, map[types.Type]bool{}) {
			obj, _, _ := types.LookupFieldOrMethod(t, true, nil, name)
			if v, ok := obj.(*types.Var); ok && v.IsField() {
				ti.Fields[name] = enc(v.Type())
			}
		}
	case *types.Basic, *types.Slice, *types.Array, *types.Map, *types.Chan:
		ti.Underlying = enc(u)
	}
	return ti
}

func addMethods(into map[string][]string, ms, except *types.MethodSet) {
	for i := 0; i < ms.Len(); i++ {
		sel := ms.At(i)
		name := sel.Obj().Name()
		if !token.IsExported(name) || (except != nil && except.Lookup(sel.Obj().Pkg(), name) != nil) {
			continue
		}
		into[name] = results(sel.Type().(*types.Signature))
	}
}

// fieldNames lists the exported field names of s and of the structs embedded in it (any depth up to 6).
func fieldNames(s *types.Struct, depth int, seen map[types.Type]bool) []string {
	var out []string
	for i := 0; i < s.NumFields(); i++ {
		f := s.Field(i)
		if f.Exported() {
			out = append(out, f.Name())
		}
		if !f.Embedded() || depth >= 6 {
			continue
		}
		t := f.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if seen[t] {
			continue
		}
		seen[t] = true
		if inner, ok := t.Underlying().(*types.Struct); ok {
			out = append(out, fieldNames(inner, depth+1, seen)...)
		}
	}
	return out
}

// enc spells t in the file's vocabulary ("" for what the provider must not claim).
func enc(t types.Type) string {
	star := ""
	if p, ok := t.(*types.Pointer); ok {
		star, t = "*", p.Elem()
		if _, ok := t.(*types.Pointer); ok {
			return ""
		}
	}
	if hasTypeParam(t, 0) {
		return ""
	}
	switch n := t.(type) {
	case *types.Named:
		return name(star, n.Obj())
	case *types.Alias:
		return name(star, n.Obj())
	case *types.Basic:
		if n.Kind() == types.UnsafePointer {
			return star + "unsafe.Pointer"
		}
		if n.Info()&types.IsUntyped != 0 {
			return ""
		}
		return star + n.Name()
	}
	return star + "~" + types.TypeString(t, func(p *types.Package) string { return stripVendor(p.Path()) })
}

func name(star string, obj *types.TypeName) string {
	if obj.Pkg() == nil {
		return star + obj.Name() // error, comparable, any
	}
	if obj.Parent() != nil && obj.Parent() != obj.Pkg().Scope() {
		return "" // declared in a function
	}
	return star + stripVendor(obj.Pkg().Path()) + "." + obj.Name()
}

func stripVendor(path string) string {
	if i := strings.LastIndex(path, "vendor/"); i == 0 || (i > 0 && path[i-1] == '/') {
		return path[i+len("vendor/"):]
	}
	return path
}

// hasTypeParam: a type parameter occurs in t (followed through unnamed types and type arguments).
func hasTypeParam(t types.Type, depth int) bool {
	if depth > 8 {
		return true
	}
	switch n := t.(type) {
	case *types.TypeParam:
		return true
	case *types.Named:
		args := n.TypeArgs()
		for i := 0; args != nil && i < args.Len(); i++ {
			if hasTypeParam(args.At(i), depth+1) {
				return true
			}
		}
		return false
	case *types.Alias:
		return hasTypeParam(types.Unalias(n), depth+1)
	case *types.Pointer:
		return hasTypeParam(n.Elem(), depth+1)
	case *types.Slice:
		return hasTypeParam(n.Elem(), depth+1)
	case *types.Array:
		return hasTypeParam(n.Elem(), depth+1)
	case *types.Chan:
		return hasTypeParam(n.Elem(), depth+1)
	case *types.Map:
		return hasTypeParam(n.Key(), depth+1) || hasTypeParam(n.Elem(), depth+1)
	case *types.Signature:
		return tupleHas(n.Params(), depth) || tupleHas(n.Results(), depth)
	case *types.Struct:
		for i := 0; i < n.NumFields(); i++ {
			if hasTypeParam(n.Field(i).Type(), depth+1) {
				return true
			}
		}
		return false
	case *types.Interface:
		for i := 0; i < n.NumMethods(); i++ {
			if hasTypeParam(n.Method(i).Type(), depth+1) {
				return true
			}
		}
		return n.NumEmbeddeds() > 0 && !n.IsMethodSet()
	}
	return false
}

func tupleHas(t *types.Tuple, depth int) bool {
	for i := 0; i < t.Len(); i++ {
		if hasTypeParam(t.At(i).Type(), depth+1) {
			return true
		}
	}
	return false
}

// merge unions the platforms' views; an entry the platforms spell differently is dropped.
func merge(views []map[string]*pkgInfo) map[string]*pkgInfo {
	out := map[string]*pkgInfo{}
	for _, view := range views {
		for path, pi := range view {
			if out[path] == nil {
				out[path] = &pkgInfo{Funcs: map[string][]string{}, Vars: map[string]string{},
					Types: map[string]*typeInfo{}}
			}
			o := out[path]
			mergeList(o.Funcs, pi.Funcs)
			mergeOne(o.Vars, pi.Vars)
			for name, ti := range pi.Types {
				ot := o.Types[name]
				if ot == nil {
					ot = &typeInfo{Methods: map[string][]string{}, PtrMethods: map[string][]string{},
						Fields: map[string]string{}, Underlying: ti.Underlying}
					o.Types[name] = ot
				} else if ot.Underlying != ti.Underlying {
					ot.Underlying = ""
				}
				mergeList(ot.Methods, ti.Methods)
				mergeList(ot.PtrMethods, ti.PtrMethods)
				mergeOne(ot.Fields, ti.Fields)
			}
		}
	}
	for _, pi := range out {
		dropConflicts(pi.Funcs)
		for _, ti := range pi.Types {
			dropConflicts(ti.Methods)
			dropConflicts(ti.PtrMethods)
		}
	}
	return out
}

var conflict = []string{"<conflict>"}

func mergeList(into, from map[string][]string) {
	for k, v := range from {
		old, ok := into[k]
		if !ok {
			into[k] = v
		} else if strings.Join(old, ",") != strings.Join(v, ",") {
			into[k] = conflict
		}
	}
}

// dropConflicts removes the entries mergeList marked.
func dropConflicts(m map[string][]string) {
	for k, v := range m {
		if len(v) == 1 && v[0] == conflict[0] {
			delete(m, k)
		}
	}
}

func mergeOne(into, from map[string]string) {
	for k, v := range from {
		if old, ok := into[k]; ok && old != v {
			into[k] = ""
		} else if !ok {
			into[k] = v
		}
	}
}
