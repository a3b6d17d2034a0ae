package main

import "fmt"

type Small struct{ X, Y int }

//go:noinline
func (s Small) Scale(k int) Small { return Small{s.X * k, s.Y * k} }

//go:noinline
func (s *Small) Grow(k int) { s.X += k; s.Y += k }

//go:noinline
func three(a, b, c int) int { return a + b + c }

func main() {
	t := three(1, 2, 3)
	s := Small{3, 4}
	s = s.Scale(5)
	s.Grow(t)
	fmt.Println(s)
}
