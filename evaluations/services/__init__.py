"""The actions of 评诺 (DESIGN §6), one module per part — appraisals (群众评议, 整改), reviews (领导点评), records
(日常记实), bulletins (通报), awards (表彰), grading (一诺一评), rankings (上评下议). What the pages read is in
evaluations.selectors, the statistics in evaluations.statistics."""
