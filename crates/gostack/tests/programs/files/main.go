// What a program does with files: read its folder, write and read back,
// list directories, make and remove temporary ones, rename, seek, stat.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"
)

func check(what string, err error) {
	if err != nil {
		fmt.Println(what+":", err)
	}
}

func main() {
	wd, err := os.Getwd()
	check("getwd", err)
	fmt.Println("working directory:", filepath.Base(wd))

	b, err := os.ReadFile("data.txt")
	check("read data.txt", err)
	fmt.Printf("data.txt: %q\n", b)
	b, err = os.ReadFile("sub/inner.txt")
	check("read sub/inner.txt", err)
	fmt.Printf("sub/inner.txt: %q\n", b)

	entries, err := os.ReadDir(".")
	check("readdir", err)
	for _, e := range entries {
		if e.Name() == "main.go" || e.Name() == "data.txt" || e.Name() == "sub" {
			fmt.Println("entry:", e.Name(), e.IsDir())
		}
	}

	_, err = os.ReadFile("missing.txt")
	fmt.Println("missing is not exist:", errors.Is(err, fs.ErrNotExist))

	dir, err := os.MkdirTemp("", "gostack-test-")
	check("mkdirtemp", err)
	fmt.Println("temp dir under /tmp:", filepath.Dir(dir) == os.TempDir())
	p := filepath.Join(dir, "out.txt")
	check("write", os.WriteFile(p, []byte("first line\n"), 0o644))
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	check("open append", err)
	fmt.Fprintln(f, "second line")
	check("close", f.Close())
	b, err = os.ReadFile(p)
	check("read back", err)
	fmt.Printf("read back: %q\n", b)

	st, err := os.Stat(p)
	check("stat", err)
	fmt.Println("size:", st.Size(), "mode:", st.Mode(), "dir:", st.IsDir())

	f, err = os.Open(p)
	check("open", err)
	_, err = f.Seek(6, io.SeekStart)
	check("seek", err)
	rest, err := io.ReadAll(f)
	check("readall", err)
	fmt.Printf("from byte 6: %q\n", rest)
	f.Close()

	// Descriptors made by dup and F_DUPFD name the same open file: one offset.
	f, err = os.Open(p)
	check("open again", err)
	fd2, err := syscall.Dup(int(f.Fd()))
	check("dup", err)
	fd3, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd2), syscall.F_DUPFD, 20)
	if errno != 0 {
		check("F_DUPFD", errno)
	}
	fmt.Println("F_DUPFD from 20:", fd3 >= 20)
	first := make([]byte, 6)
	_, err = io.ReadFull(f, first)
	check("read 6", err)
	next := make([]byte, 7)
	_, err = syscall.Read(fd2, next)
	check("read the dup", err)
	after, err := io.ReadAll(os.NewFile(fd3, "third"))
	check("read the third", err)
	fmt.Printf("shared offset: %q %q %q\n", first, next, after)
	syscall.Close(fd2)
	f.Close()

	check("mkdir", os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755))
	check("rename", os.Rename(p, filepath.Join(dir, "a", "b", "moved.txt")))
	check("truncate", os.Truncate(filepath.Join(dir, "a", "b", "moved.txt"), 5))
	var names []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, path)
		info, _ := d.Info()
		names = append(names, fmt.Sprintf("%s %v %d", rel, d.IsDir(), info.Size()))
		return err
	})
	sort.Strings(names)
	fmt.Println("walk:", names)

	err = os.Mkdir(filepath.Join(dir, "a"), 0o755)
	fmt.Println("mkdir again exists:", errors.Is(err, fs.ErrExist))
	err = os.Remove(filepath.Join(dir, "a"))
	fmt.Println("remove non-empty fails:", err != nil)
	check("removeall", os.RemoveAll(dir))
	_, err = os.Stat(dir)
	fmt.Println("gone:", errors.Is(err, fs.ErrNotExist))

	// Writing into the working directory changes the run's copy only.
	check("write here", os.WriteFile("made-by-the-program.txt", []byte("x"), 0o644))
	_, err = os.Stat("made-by-the-program.txt")
	fmt.Println("made here:", err == nil)
	check("remove here", os.Remove("made-by-the-program.txt"))

	check("chdir", os.Chdir("sub"))
	b, err = os.ReadFile("inner.txt")
	check("read after chdir", err)
	fmt.Printf("after chdir: %q\n", b)
	wd2, _ := os.Getwd()
	fmt.Println("now in:", filepath.Base(wd2), filepath.Dir(wd2) == wd)

	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	check("open /dev/null", err)
	n, err := null.Write([]byte("discarded"))
	fmt.Println("/dev/null took:", n, err)
}
