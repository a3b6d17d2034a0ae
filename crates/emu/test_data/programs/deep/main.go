package main

import "fmt"

type node struct {
	val  int
	next *node
}

// walk recurses once per list element with a sizeable frame, so the
// goroutine stack has to grow several times.
func walk(n *node, depth int) int {
	var pad [32]int
	pad[depth%32] = depth
	if n == nil {
		return pad[depth%32]
	}
	return walk(n.next, depth+1) + n.val + pad[depth%32] - depth
}

func main() {
	var head *node
	for i := 1; i <= 2000; i++ {
		head = &node{i, head}
	}
	fmt.Println(walk(head, 0))
}
