package main

import (
	"errors"
	"fmt"
)

// ErrNotFound is a sentinel error, made once by errors.New at init.
var ErrNotFound = errors.New("not found")

func find(xs []int, v int) (int, error) {
	for i, x := range xs {
		if x == v {
			return i, nil
		}
	}
	return -1, ErrNotFound
}

func check(n int) error {
	if n < 0 {
		return fmt.Errorf("check %d: negative", n)
	}
	if n == 0 {
		return errors.New("zero")
	}
	return nil
}

func main() {
	xs := []int{4, 8, 15}
	i, err := find(xs, 8)
	fmt.Println(i, err)
	i, err = find(xs, 16)
	fmt.Println(i, err, err == ErrNotFound)
	for _, n := range []int{-2, 0, 3} {
		if err := check(n); err != nil {
			fmt.Println("error:", err)
		} else {
			fmt.Println("ok:", n)
		}
	}
	fmt.Printf("%v|%s|%q\n", ErrNotFound, ErrNotFound, ErrNotFound)
	fmt.Println(ErrNotFound.Error(), errors.New("a") == errors.New("a"))

	// Wrapping: %w keeps the error, errors.Is finds it again.
	_, err = find(xs, 23)
	wrapped := fmt.Errorf("lookup %d: %w", 23, err)
	twice := fmt.Errorf("request: %w", wrapped)
	fmt.Println(twice)
	fmt.Println(errors.Is(twice, ErrNotFound), errors.Is(twice, errors.New("not found")))
	fmt.Printf("%v|%s|%d%%\n", wrapped, wrapped, 100)
	fmt.Println(fmt.Errorf("no operand: %w", nil), errors.Is(fmt.Errorf("none: %w", nil), ErrNotFound))
}
