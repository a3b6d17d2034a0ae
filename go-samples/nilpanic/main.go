package main

import "fmt"

type point struct{ x, y int }

//go:noinline
func getX(p *point) int {
	return p.x // a nil p faults here
}

//go:noinline
func note(s string) {
	fmt.Println(s)
}

//go:noinline
func safe(p *point) (n int, err error) {
	defer note("leaving safe")
	defer func() {
		if r := recover(); r != nil {
			n, err = -1, fmt.Errorf("recovered: %v", r)
		}
	}()
	n = getX(p)
	return n, nil
}

func main() {
	fmt.Println(safe(&point{3, 4}))
	fmt.Println(safe(nil))
}
