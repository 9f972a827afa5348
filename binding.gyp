{
  "targets": [
    {
      "target_name": "imitate_blas",
      "sources": ["native/imitate_blas.c", "native/optim_common.c", "native/parallel.c", "native/soap_step.c", "native/fismo_step.c"],
      "cflags": ["-O2", "-ffp-contract=off", "-fno-fast-math", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": {"OTHER_CFLAGS": ["-O2", "-ffp-contract=off"]},
      "conditions": [
        ["OS=='mac'", {
          "libraries": ["-framework Accelerate"],
          "defines": ["ACCELERATE_NEW_LAPACK"]
        }],
        ["OS!='mac'", {
          "libraries": ["-lopenblas"],
          "defines": ["IMITATE_OPENBLAS"]
        }]
      ]
    }
  ]
}
