from checkoutsim.cli import main

main()
