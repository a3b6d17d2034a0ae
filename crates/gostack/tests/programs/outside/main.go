// Reaches for files outside its folder: the host's, by absolute path and
// by climbing out with `..`; writes in its folder and outside.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

func show(what string, err error) {
	switch {
	case err == nil:
		fmt.Println(what, "ok")
	case errors.Is(err, fs.ErrNotExist):
		fmt.Println(what, "does not exist")
	case errors.Is(err, fs.ErrPermission):
		fmt.Println(what, "is not permitted")
	default:
		fmt.Println(what, err)
	}
}

func main() {
	host := os.Args[1] // a host directory the test made
	_, err := os.ReadFile(host + "/secret.txt")
	show("read host file", err)
	_, err = os.ReadFile("../../../../../../../../" + host + "/secret.txt")
	show("climb to host file", err)
	show("write host file", os.WriteFile(host+"/written.txt", []byte("x"), 0o644))
	_, err = os.ReadFile("/etc/passwd")
	show("read /etc/passwd", err)
	_, err = os.Readlink("/proc/self/exe")
	show("readlink /proc/self/exe", err)
	show("write /gostack.txt", os.WriteFile("/gostack.txt", []byte("x"), 0o644))
	show("write in folder", os.WriteFile("new.txt", []byte("x"), 0o644))
	show("change main.go", os.WriteFile("main.go", []byte("changed"), 0o644))
	show("remove main.go", os.Remove("main.go"))
	show("temp file", os.WriteFile(os.TempDir()+"/gostack-outside.txt", []byte("x"), 0o644))
}
