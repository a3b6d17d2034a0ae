package main

import "fmt"

type shape interface {
	area() int
	name() string
}

type rect struct{ w, h int }

func (r rect) area() int       { return r.w * r.h }
func (r rect) name() string    { return "rect" }
func (s *square) area() int    { return s.side * s.side }
func (s *square) name() string { return "square" }

type square struct{ side int }

func total(shapes []shape) int {
	sum := 0
	for _, s := range shapes {
		sum += s.area()
		fmt.Println(s.name(), s.area())
	}
	return sum
}

func main() {
	shapes := []shape{rect{2, 3}, &square{4}, rect{5, 1}}
	fmt.Println("total", total(shapes))
	var s shape = rect{1, 1}
	if r, ok := s.(rect); ok {
		fmt.Println("is rect", r.w, r.h)
	}
	switch v := s.(type) {
	case *square:
		fmt.Println("square", v.side)
	case rect:
		fmt.Println("rect again", v.area())
	}
}
