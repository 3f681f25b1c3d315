package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100 on every Linux
// architecture Spar runs on.
const clockTick = 10 * time.Millisecond

// procSample is one reading of a process's CPU time and resident memory.
type procSample struct {
	at   time.Time
	cpu  time.Duration // user + system, its own and its waited-for children's (flite processes)
	rss  int64         // bytes
	peak int64         // the highest RSS since the process started (VmHWM), bytes
	// wait is the time the process's threads spent runnable but waiting for a CPU (the
	// second field of each /proc/<pid>/task/<tid>/schedstat, summed): on a shared machine,
	// the time other work took from it. 0 when the kernel does not keep it.
	wait time.Duration
}

// readProc reads /proc/<pid>/stat and /proc/<pid>/status.
func readProc(pid int) (procSample, error) {
	s := procSample{at: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, fmt.Errorf("bench: read proc: %w", err)
	}
	if s.cpu, err = parseStatCPU(stat); err != nil {
		return s, err
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, fmt.Errorf("bench: read proc: %w", err)
	}
	if s.rss, err = parseStatusKB(status, "VmRSS:"); err != nil {
		return s, err
	}
	s.peak, err = parseStatusKB(status, "VmHWM:")
	s.wait = readRunWait(pid)
	return s, err
}

// readRunWait sums the run-queue wait of pid's threads; threads that ended are not counted.
func readRunWait(pid int) time.Duration {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			if ns, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				sum += time.Duration(ns)
			}
		}
	}
	return sum
}

// waitShare is how many threads of a process were, on average, runnable but waiting for a
// CPU between two samples.
func waitShare(a, b procSample) float64 {
	wall := b.at.Sub(a.at)
	if wall <= 0 || b.wait < a.wait {
		return 0
	}
	return float64(b.wait-a.wait) / float64(wall)
}

// parseStatCPU returns utime+stime+cutime+cstime from a /proc/<pid>/stat line: the process's
// CPU and that of its children it has waited for (the flite processes of the offline voices;
// a child still running is not counted yet). The command name (field 2) may hold spaces and
// parentheses, so fields are counted after its last ')'.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("bench: proc stat: no command name")
	}
	f := strings.Fields(string(b[i+1:]))
	// After the name: state(3) ... utime(14) stime(15) cutime(16) cstime(17), so utime is f[11].
	if len(f) < 15 {
		return 0, fmt.Errorf("bench: proc stat: %d fields", len(f))
	}
	var sum int64
	for _, v := range f[11:15] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: proc stat: utime..cstime %q", f[11:15])
		}
		sum += n
	}
	return time.Duration(sum) * clockTick, nil
}

// parseStatusKB returns a kB field of /proc/<pid>/status (key with its colon), in bytes.
func parseStatusKB(b []byte, key string) (int64, error) {
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(v)
			if len(f) != 2 || f[1] != "kB" {
				return 0, fmt.Errorf("bench: proc status: %s %q", key, strings.TrimSpace(v))
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("bench: proc status: no %s", key)
}

// cpuShare is the CPU a process used between two samples, in cores.
func cpuShare(a, b procSample) float64 {
	wall := b.at.Sub(a.at)
	if wall <= 0 {
		return 0
	}
	return float64(b.cpu-a.cpu) / float64(wall)
}

// startCPUProfile profiles this process (the load generator) into path until stop.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
