from fcatlas.cli import main

main()
