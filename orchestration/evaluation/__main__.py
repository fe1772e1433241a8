from orchestration.evaluation.accuracy import main

main()
