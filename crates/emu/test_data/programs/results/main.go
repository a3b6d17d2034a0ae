package main

import "fmt"

//go:noinline
func divmod(a, b int) (q, r int) {
	q = a / b
	r = a % b
	return
}

//go:noinline
func minmax(xs ...int) (lo, hi int, ok bool) {
	if len(xs) == 0 {
		return 0, 0, false
	}
	lo, hi = xs[0], xs[0]
	for _, x := range xs[1:] {
		if x < lo {
			lo = x
		}
		if x > hi {
			hi = x
		}
	}
	return lo, hi, true
}

type pair struct {
	a, b int64
	name string
}

//go:noinline
func swapPair(p pair) pair {
	p.a, p.b = p.b, p.a
	return p
}

func main() {
	q, r := divmod(17, 5)
	fmt.Println(q, r)
	q, r = divmod(-17, 5)
	fmt.Println(q, r)
	fmt.Println(minmax(4, -2, 9, 7))
	fmt.Println(minmax())
	p := swapPair(pair{1, 2, "p"})
	fmt.Println(p.a, p.b, p.name)
	fmt.Printf("%v %+v\n", p, p)
}
