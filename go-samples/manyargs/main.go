package main

import "fmt"

type point struct {
	x, y int
	s    string
}

// many takes twelve integers: nine travel in registers on amd64, the
// last three on the stack.
//
//go:noinline
func many(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12 int) (int, int, int) {
	return a1 + a2 + a3 + a4, a5 + a6 + a7 + a8, a9 + a10 + a11 + a12
}

// mixed takes a struct with a string field and two float64 arguments.
//
//go:noinline
func mixed(p point, f1, f2 float64, n int) (float64, string) {
	return float64(p.x+p.y+n) * f1 / f2, p.s
}

func main() {
	r1, r2, r3 := many(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	fmt.Println(r1, r2, r3)
	f, s := mixed(point{1, 2, "hi"}, 1.5, 2.5, 3)
	fmt.Println(f, s)
}
