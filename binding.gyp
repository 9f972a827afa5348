{
  "targets": [
    {
      "target_name": "imitate_blas",
      "sources": ["native/imitate_blas.c", "native/imitate_optim.c"],
      "cflags": ["-O2", "-ffp-contract=off", "-fno-fast-math"],
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
