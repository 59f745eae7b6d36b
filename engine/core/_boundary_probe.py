from mlarch.analysis import domain
