// Map ranging (in an order that differs from run to run, so not printed), deletes while
// ranging, big maps that grow, and sorting keys for a stable print.
package main

import (
	"fmt"
	"sort"
	"strings"
)

func main() {
	m := map[string]int{}
	for i := 0; i < 1000; i++ {
		m[fmt.Sprintf("k%03d", i)] = i
	}
	sum := 0
	for k, v := range m {
		if strings.HasSuffix(k, "7") {
			delete(m, k)
		}
		sum += v
	}
	fmt.Println(len(m), sum)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Println(keys[:5], keys[len(keys)-3:])
	seen := 0
	for k := range map[int]string{1: "a", 2: "b", 3: "c", 4: "d", 5: "e", 6: "f", 7: "g", 8: "h", 9: "i"} {
		seen |= 1 << k
	}
	fmt.Println("every key once:", seen == 0x3fe)
	type key struct{ a, b int }
	sm := map[key][]int{}
	for i := 0; i < 50; i++ {
		k := key{i % 7, i % 3}
		sm[k] = append(sm[k], i)
	}
	fmt.Println(len(sm), sm[key{0, 0}])
}
