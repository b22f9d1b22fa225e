package facts_test

var other int
