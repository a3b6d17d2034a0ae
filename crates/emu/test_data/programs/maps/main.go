package main

import "fmt"

var global = map[string][]int{}

//go:noinline
func add(m map[int]string, k int, v string) { m[k] = v }

func main() {
	m := make(map[string]int)
	m["a"] = 1
	m["b"] = 2
	m["a"] += 10
	v, ok := m["c"]
	fmt.Println(m["a"], v, ok, len(m))
	delete(m, "b")
	fmt.Println(m, len(m))
	counts := map[int]int{}
	for i := 0; i < 10; i++ {
		counts[i%3]++
	}
	fmt.Println(counts)
	ids := map[int]string{}
	add(ids, 3, "three")
	add(ids, 1, "one")
	fmt.Println(ids, len(ids))
	global["x"] = append(global["x"], 1, 2)
	fmt.Println(global)
	var nilmap map[string]int
	fmt.Println(nilmap["q"], len(nilmap))
}
