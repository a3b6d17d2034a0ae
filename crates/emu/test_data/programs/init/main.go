package main

import "fmt"

var order []string

var first = record("first")

var second = record("second")

func record(name string) string {
	order = append(order, name)
	return name
}

func init() {
	order = append(order, "init 1")
}

func init() {
	order = append(order, "init 2")
}

func main() {
	fmt.Println(order, first, second)
}
