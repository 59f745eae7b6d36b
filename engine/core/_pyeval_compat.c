/* PyEval_CallObject for durable-rules on Python >= 3.13.
 *
 * durable-rules 2.0.28 (unmaintained, sdist only) calls PyEval_CallObject,
 * which Python 3.13 removed from its headers and its ABI. Its extension then
 * builds but fails to import ("undefined symbol: PyEval_CallObject").
 * mlarch.core.durable loads this library with RTLD_GLOBAL before importing
 * durable_rules_engine, so the dynamic loader finds the symbol here.
 * It is built on every Python (harmless before 3.13, where it is not loaded).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifdef PyEval_CallObject
#undef PyEval_CallObject
#endif

/* The removed API was PyEval_CallObjectWithKeywords(callable, args, NULL). */
PyAPI_FUNC(PyObject *) PyEval_CallObject(PyObject *callable, PyObject *args)
{
    return PyObject_CallObject(callable, args);
}

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_pyeval_compat",
    "PyEval_CallObject for durable-rules on Python >= 3.13 (see mlarch.core.durable).", -1, NULL,
};

PyMODINIT_FUNC PyInit__pyeval_compat(void)
{
    return PyModule_Create(&module);
}
