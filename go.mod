module github.com/cchc/cchc

go 1.26.8
