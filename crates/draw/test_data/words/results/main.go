package main

import "fmt"

type Big struct{ A, B, C, D, E, F, G, H, I, J int }

//go:noinline
func makeBig(n int) Big {
	return Big{n, 2 * n, 3 * n, 4 * n, 5 * n, 6 * n, 7 * n, 8 * n, 9 * n, 10 * n}
}

//go:noinline
func ten(n int) (int, int, int, int, int, int, int, int, int, int) {
	return n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, n + 8, n + 9
}

func main() {
	b := makeBig(7)
	a0, a1, a2, a3, a4, a5, a6, a7, a8, a9 := ten(1)
	fmt.Println(b.A, b.J, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9)
}
