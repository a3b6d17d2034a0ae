// Nested and recovered panics, the remaining defers of a frame after a
// recover, re-panics, runtime errors, and a final panic chain.
package main

import (
	"errors"
	"fmt"
	"os"
)

func nested() (r string) {
	defer func() {
		if e := recover(); e != nil {
			r = fmt.Sprint("outer recovered: ", e)
		}
	}()
	defer fmt.Println("second defer runs")
	defer func() {
		defer func() {
			fmt.Println("inner recovered:", recover())
			panic("second")
		}()
		panic("first")
	}()
	return "not reached"
}

func multi() {
	defer fmt.Println("a")
	defer func() { fmt.Println("recovered", recover()) }()
	defer fmt.Println("b")
	panic(errors.New("boom"))
}

type custom struct{ code int }

func (c custom) Error() string { return fmt.Sprintf("custom %d", c.code) }

func main() {
	fmt.Println(nested())
	multi()
	func() {
		defer func() {
			e := recover()
			var c custom
			fmt.Println(errors.As(e.(error), &c), c.code)
		}()
		panic(custom{42})
	}()
	func() {
		defer func() { fmt.Println(recover()) }()
		var m map[string]int
		m["x"] = 1
	}()
	func() {
		defer func() { fmt.Println(recover()) }()
		var i interface{} = "str"
		_ = i.(int)
	}()
	fmt.Fprintln(os.Stderr, "to stderr")
	defer func() {
		panic(fmt.Sprintf("again %d", 2))
	}()
	panic("first")
}
