// Signals a process sends itself with kill(2): caught through os/signal,
// ignored by default (SIGCHLD), and kill of a process that is not there.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	fmt.Println("kill self:", syscall.Kill(os.Getpid(), syscall.SIGUSR1))
	fmt.Println("got:", <-c)
	fmt.Println("kill self again:", syscall.Kill(os.Getpid(), syscall.SIGUSR1))
	fmt.Println("got:", <-c)
	fmt.Println("SIGCHLD:", syscall.Kill(os.Getpid(), syscall.SIGCHLD))
	fmt.Println("signal 0:", syscall.Kill(os.Getpid(), 0))
	fmt.Println("no such process:", syscall.Kill(999999, 0))
}
