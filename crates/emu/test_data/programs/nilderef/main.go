package main

import "fmt"

type node struct{ v int }

//go:noinline
func get(n *node) int { return n.v }

func main() {
	defer fmt.Println("deferred")
	fmt.Println(get(&node{7}))
	fmt.Println(get(nil))
}
