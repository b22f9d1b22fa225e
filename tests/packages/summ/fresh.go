package summ

// Fresh locals: a parameter stored into an object the function itself allocates goes where that
// object goes (returned, kept, or nowhere).

var wrappers []*W

func freshReturned(t *T) (*W, error) {
	w := &W{}
	if t.n > 0 {
		w.p = t
	}
	return w, nil
}

func freshNew(t *T) *W {
	w := new(W)
	w.p = t
	return w
}

func freshMap(t *T) map[string]*T {
	m := make(map[string]*T)
	m["x"] = t
	return m
}

func freshDropped(t *T) int {
	w := &W{}
	w.p = t
	return w.p.n
}

func freshKept(t *T) {
	w := &W{}
	w.p = t
	wrappers = append(wrappers, w)
}

func freshHanded(t *T) {
	w := &W{}
	w.p = t
	hand(w)
}

func freshFieldKept(t *T) {
	w := &W{}
	w.p = t
	keepGlobal(w.p)
	global = append(global, w.p)
}

func freshFieldReturned(t *T) *T {
	w := &W{}
	w.p = t
	return w.p
}

func freshReassigned(t *T, other *W) *W {
	w := &W{}
	w = other
	w.p = t
	return nil
}

func freshAliased(t *T) {
	w := &W{}
	v := w
	w.p = t
	wrappers = append(wrappers, v)
}

func freshSent(t *T, ch chan *W) {
	w := &W{}
	w.p = t
	ch <- w
}

func freshGoroutine(t *T) {
	w := &W{}
	w.p = t
	go func() { _ = w.p }()
}

// hand's summary is unknown to the one-level analysis of its callers: it may keep w.
func hand(w *W) { wrappers = append(wrappers, w) }

// Channels a function signals: sends on or closes (its own body, one level).

func signals(name string, ready chan int) {
	_ = name
	ready <- 1
}

func closes(done chan struct{}) { close(done) }

func signalsLater(ready chan<- int) {
	go func() { ready <- 1 }()
}

func receives(ready chan int) { <-ready }

func sendsOnOther(ready chan int) {
	ready = make(chan int, 1)
	ready <- 1
}

func sendsValue(ch chan chan int, ready chan int) { ch <- ready }
