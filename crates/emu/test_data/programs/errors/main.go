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
}
