module example.com/summ

go 1.21
