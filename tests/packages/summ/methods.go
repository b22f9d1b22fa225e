package summ

func (t *T) Remember()     { global = append(global, t) }
func (t *T) Link(o *T)     { t.next = o }
func (t *T) Touch()        { t.n++ }
func (t T) Value() int     { return t.n }
func (t *T) Self() *T      { return t }
func (t *T) Start()        { go t.Touch() }
func (t *T) Hook(f func()) { t.hooks = append(t.hooks, f) }
func (t *T) Put(k string, v *T) {
	t.byKey[k] = v
}
