//! Curated health tips of the day for the patient dashboard, grouped by age group.

/// A short health tip shown on the patient dashboard.
pub struct Tip {
    pub title: &'static str,
    pub body: &'static str,
}

/// Tips for ages 0 to 12, written for parents, caregivers and kids.
pub const CHILD: &[Tip] = &[
    Tip {
        title: "Put babies to sleep on their backs",
        body: "Lay your baby on their back on a firm, flat surface in their own crib or bassinet. Keep pillows, blankets, bumpers and toys out of the sleep space. This lowers the risk of sleep-related infant death.",
    },
    Tip {
        title: "Keep the same bedtime every night",
        body: "A calm routine, like a bath, brushing teeth and a story, helps children fall asleep. Ask your care team how many hours of sleep are right for your child's age.",
    },
    Tip {
        title: "Play actively for an hour a day",
        body: "School-age kids need at least 60 minutes of active play every day. Biking, dancing, tag and jumping rope all count. Younger children should have many chances to move and play throughout the day.",
    },
    Tip {
        title: "Offer water instead of sugary drinks",
        body: "For children over one year old, water and plain milk are the best everyday drinks. Juice, soda and sports drinks add sugar that can cause cavities.",
    },
    Tip {
        title: "Let kids try new foods again and again",
        body: "Children may need to taste a new food many times before they like it. Put a small amount of a fruit or vegetable on the plate and let them explore it without pressure.",
    },
    Tip {
        title: "Keep your child's vaccines on schedule",
        body: "Vaccines protect children from serious illnesses like measles and whooping cough. Bring your child's vaccine record to every checkup and ask which vaccines are due.",
    },
    Tip {
        title: "Use the right car seat every ride",
        body: "Pick a car seat or booster seat that fits your child's age, weight and height. Children under 13 are safest in the back seat. If you are not sure a seat is installed correctly, ask your care team where to get it checked.",
    },
    Tip {
        title: "Shade and sunscreen for kids outdoors",
        body: "Keep babies under 6 months old out of direct sun. For older children, use a broad-spectrum sunscreen with SPF 30 or higher, plus hats and shade. Put sunscreen on again every 2 hours and after swimming.",
    },
    Tip {
        title: "Turn screens off before bedtime",
        body: "Keep TVs, tablets and phones out of your child's bedroom and turn them off an hour before bed. Ask your care team about healthy screen time limits for your child's age.",
    },
    Tip {
        title: "Lock up medicines and cleaners",
        body: "Store medicines, vitamins and cleaning products up high, out of sight and locked if you can. In the US, save the Poison Help line, 1-800-222-1222, in your phone.",
    },
    Tip {
        title: "Stay within reach when kids are near water",
        body: "Drowning can happen fast and without a sound. Stay within arm's reach of young children in bathtubs, pools and lakes, and never leave them alone near water, even for a moment.",
    },
    Tip {
        title: "Brush twice a day with fluoride toothpaste",
        body: "Use a smear the size of a grain of rice for children under 3 and a pea-sized amount from age 3. Ask about a first dental visit by your child's first birthday.",
    },
    Tip {
        title: "Help your child put feelings into words",
        body: "Teach words like sad, angry, scared and worried, and listen without judging. If worry or a change in mood lasts for weeks or gets in the way of school or play, talk to your care team.",
    },
    Tip {
        title: "Wash hands with soap and water",
        body: "Teach kids to scrub with soap for about 20 seconds, about as long as singing the birthday song twice. Wash before eating and after using the bathroom, playing outside or touching pets.",
    },
    Tip {
        title: "Wear a helmet on bikes and scooters",
        body: "A helmet that fits snugly protects the brain in a fall. Kids should wear one every time they ride a bike, scooter or skateboard, or go skating.",
    },
];

/// Tips for ages 13 to 17.
pub const TEEN: &[Tip] = &[
    Tip {
        title: "Aim for 8 to 10 hours of sleep",
        body: "Teens need more sleep than adults. Try to go to bed and wake up at about the same time each day, and charge your phone outside your bedroom at night.",
    },
    Tip {
        title: "Move for at least 60 minutes a day",
        body: "Sports, dancing, walking to school and biking all count. On at least 3 days a week, include activities that build muscles and bones, like climbing, jumping or lifting.",
    },
    Tip {
        title: "Eat regular meals to keep your energy up",
        body: "Skipping meals can leave you tired and make it hard to focus. Try to include fruits or vegetables, whole grains and a protein food at most meals.",
    },
    Tip {
        title: "Skip the energy drinks",
        body: "Energy drinks often contain a lot of caffeine and sugar. They can speed up your heart, make you feel jittery and keep you from sleeping well. Water is the best drink when you are thirsty.",
    },
    Tip {
        title: "Notice how social media makes you feel",
        body: "If scrolling leaves you feeling worse about yourself, take a break or unfollow accounts that bring you down. Set a time each night when screens go off.",
    },
    Tip {
        title: "You do not have to handle stress alone",
        body: "Talk to a trusted adult or your care team if you feel sad, worried or stressed most days. If you are thinking about hurting yourself, call or text 988 in the US to reach the Suicide & Crisis Lifeline any time.",
    },
    Tip {
        title: "Ask which teen vaccines you need",
        body: "Preteens and teens are often due for vaccines such as HPV, meningococcal and a Tdap booster. Ask at your next checkup whether you are up to date.",
    },
    Tip {
        title: "Keep up with your yearly checkup",
        body: "A yearly visit is a chance to check your growth and health and ask questions. Part of the visit can be private time with your provider to talk about anything on your mind.",
    },
    Tip {
        title: "Drive with full attention",
        body: "Always wear a seat belt and make sure everyone in the car does too. Put your phone away while driving, because reading or sending a text takes your eyes off the road.",
    },
    Tip {
        title: "Stay away from vaping and smoking",
        body: "Nicotine is very addictive and can affect how the teen brain develops. If you already vape or smoke and want to stop, your care team can help you make a plan.",
    },
    Tip {
        title: "Protect your skin and skip tanning beds",
        body: "Use a broad-spectrum sunscreen with SPF 30 or higher when you are outside. Tanning beds raise the risk of skin cancer, so avoid them.",
    },
    Tip {
        title: "Turn the volume down in your headphones",
        body: "Loud music through earbuds can damage hearing over time, and that damage does not heal. Keep the volume low enough that you can still hear people around you.",
    },
    Tip {
        title: "Sit out after a hit to the head",
        body: "If you get a blow to the head in sports, stop playing and tell a coach or parent. Headache, dizziness or confusion can be signs of a concussion, so get checked before you play again.",
    },
    Tip {
        title: "Expect respect in your relationships",
        body: "A healthy relationship means feeling safe and respected. If someone hurts, threatens or tries to control you, tell a trusted adult or your care team.",
    },
];

/// Tips for ages 18 to 39.
pub const YOUNG_ADULT: &[Tip] = &[
    Tip {
        title: "Get at least 7 hours of sleep",
        body: "Adults need 7 or more hours of sleep a night. A regular schedule, a cool, dark room and less caffeine late in the day can help you sleep better.",
    },
    Tip {
        title: "Build up to 150 active minutes a week",
        body: "Aim for about 150 minutes a week of activity that gets your heart rate up, like brisk walking or biking. Add muscle-strengthening exercise on 2 or more days.",
    },
    Tip {
        title: "Fill half your plate with vegetables and fruit",
        body: "Fill the other half with whole grains and a protein food like beans, fish, eggs or chicken. Cooking at home more often makes it easier to limit salt and added sugar.",
    },
    Tip {
        title: "Find a primary care provider",
        body: "Having a regular provider who knows your health history makes it easier to get care when you need it. A checkup is a good time to review vaccines and screenings.",
    },
    Tip {
        title: "Check your blood pressure, even if you feel fine",
        body: "High blood pressure often has no symptoms. Ask your care team how often you should have it checked.",
    },
    Tip {
        title: "Ask about cervical cancer screening",
        body: "Women and anyone with a cervix should start cervical cancer screening at age 21. Ask your care team which test is right for you and how often to have it.",
    },
    Tip {
        title: "Get your flu vaccine every year",
        body: "A yearly flu vaccine lowers your chance of getting sick and spreading flu to others. At your checkup, also ask whether you are due for a tetanus booster or other vaccines.",
    },
    Tip {
        title: "Make room for stress relief",
        body: "Short breaks, time outdoors, exercise and talking with friends can all ease stress. If stress or low mood lasts for weeks, talk to your care team. Help is available.",
    },
    Tip {
        title: "Know your limits with alcohol",
        body: "Drinking less is better for your health. Never drive after drinking, and plan a safe ride home ahead of time.",
    },
    Tip {
        title: "Quitting smoking or vaping is worth it",
        body: "Your body starts to benefit soon after you quit, at any age. Your care team can talk with you about support and treatments that make quitting easier.",
    },
    Tip {
        title: "Use sunscreen and avoid tanning",
        body: "Put on a broad-spectrum sunscreen with SPF 30 or higher when you are outside, even on cloudy days. Tanning, indoors or out, damages skin and raises the risk of skin cancer.",
    },
    Tip {
        title: "Keep a water bottle with you",
        body: "Sip water through the day and drink more when it is hot or you are active. Choosing water over soda and sweet coffee drinks also cuts added sugar.",
    },
    Tip {
        title: "Talk openly about sexual health",
        body: "Your care team can answer questions about birth control and protection from sexually transmitted infections. Ask which tests are recommended for you.",
    },
    Tip {
        title: "Rest your eyes during screen work",
        body: "Every 20 minutes, look at something about 20 feet away for 20 seconds. Stand up and stretch at least once an hour when you sit for long periods.",
    },
];

/// Tips for ages 40 to 64.
pub const ADULT: &[Tip] = &[
    Tip {
        title: "Have your blood pressure checked every year",
        body: "From age 40, adults should have their blood pressure checked at least once a year. High blood pressure usually causes no symptoms, but it can be treated.",
    },
    Tip {
        title: "Start colorectal cancer screening at 45",
        body: "Screening for colorectal cancer is recommended from age 45 to 75. There are several kinds of tests, including some you can do at home, so ask which one fits you.",
    },
    Tip {
        title: "Ask about mammograms from age 40",
        body: "Women ages 40 to 74 are advised to have a mammogram every 2 years. Talk to your care team sooner if you notice a lump or other change in your breast.",
    },
    Tip {
        title: "Keep up cervical screening until 65",
        body: "Women and anyone with a cervix should keep having cervical cancer screening until age 65. Your care team can tell you when your next test is due.",
    },
    Tip {
        title: "Ask about cholesterol and blood sugar tests",
        body: "High cholesterol and high blood sugar often have no symptoms. Ask your care team whether you should be tested and how often.",
    },
    Tip {
        title: "Add strength training twice a week",
        body: "Along with about 150 minutes of moderate activity each week, work your muscles on 2 or more days. Strong muscles support your joints and balance as you age.",
    },
    Tip {
        title: "Mention loud snoring to your care team",
        body: "Loud snoring, pauses in breathing during sleep or feeling very tired during the day can be signs of sleep apnea. It is treatable, so bring it up at your next visit.",
    },
    Tip {
        title: "Go easy on the salt",
        body: "Most salt comes from packaged foods, canned soups and restaurant meals. Compare labels and choose lower-sodium options to help keep your blood pressure healthy.",
    },
    Tip {
        title: "Ask about the shingles vaccine at 50",
        body: "Shingles can cause a painful rash and long-lasting nerve pain. If you are 50 or older, ask your care team about the shingles vaccine. Keep getting a flu vaccine every year too.",
    },
    Tip {
        title: "Look after yourself while caring for others",
        body: "Many adults care for children and aging parents at the same time. Make time for rest and for people who support you, and tell your care team if you feel overwhelmed.",
    },
    Tip {
        title: "Ask if lung cancer screening fits you",
        body: "If you smoke now or smoked in the past, ask your care team whether lung cancer screening is right for you. It is never too late to get help quitting.",
    },
    Tip {
        title: "Have your eyes checked",
        body: "Many people start to need reading glasses in their 40s. Regular eye exams can also find eye diseases early, before you notice changes in your sight.",
    },
    Tip {
        title: "Know the warning signs of a heart attack",
        body: "Chest pain or pressure, shortness of breath, or pain in the arm, back, neck or jaw can be signs of a heart attack. Nausea and cold sweats can be signs too. Call 911 right away.",
    },
    Tip {
        title: "Check your skin for changes",
        body: "Look over your skin once a month for new spots or moles that change in size, shape or color. Show your care team anything that looks different or does not heal.",
    },
];

/// Tips for ages 65 and older.
pub const SENIOR: &[Tip] = &[
    Tip {
        title: "Clear tripping hazards at home",
        body: "Remove loose rugs and clutter from walkways, and keep stairs well lit. Night lights in the bedroom, hallway and bathroom make it safer to get up at night.",
    },
    Tip {
        title: "Install grab bars in the bathroom",
        body: "Grab bars by the toilet and in the shower, plus a non-slip mat, help prevent falls. Tell your care team about any fall, even if you were not hurt.",
    },
    Tip {
        title: "Build balance with gentle exercise",
        body: "Activities like tai chi, walking and simple balance exercises can lower your risk of falling. Ask your care team which exercises are safe for you.",
    },
    Tip {
        title: "Keep an up-to-date list of your medicines",
        body: "Write down every medicine you take, including vitamins, supplements and over-the-counter products. Bring the list, or the bottles themselves, to every visit.",
    },
    Tip {
        title: "Ask before you add a new medicine",
        body: "Some over-the-counter medicines and supplements can interact with prescriptions. Check with your pharmacist or care team before starting anything new.",
    },
    Tip {
        title: "Do not stop a medicine on your own",
        body: "If a medicine causes side effects or is hard to afford, talk to your care team before you stop it. They may be able to change the dose or find another option.",
    },
    Tip {
        title: "Ask which vaccines you need after 65",
        body: "Besides a yearly flu vaccine, many older adults are advised to get vaccines for pneumonia, shingles and RSV. Ask your care team which ones are right for you.",
    },
    Tip {
        title: "Drink water even when you are not thirsty",
        body: "The feeling of thirst can get weaker with age. Keep water within reach and sip it through the day, especially in hot weather. Ask your care team how much is right for you.",
    },
    Tip {
        title: "Stay in touch with friends and family",
        body: "Regular contact with others is good for your mood and your memory. Call a friend, join a group or volunteer. If you often feel lonely or down, tell your care team.",
    },
    Tip {
        title: "Get your hearing and vision checked",
        body: "Hearing and vision changes can make falls more likely and conversations harder. Regular checks and the right glasses or hearing aids can help.",
    },
    Tip {
        title: "Schedule a yearly wellness visit",
        body: "A yearly visit is a good time to review your medicines, screenings and goals with your care team. If you have Medicare, a yearly wellness visit is covered.",
    },
    Tip {
        title: "Ask about bone density testing",
        body: "Bones can become thin and break more easily with age. Women 65 and older are advised to have a bone density test, so ask your care team whether you need one.",
    },
    Tip {
        title: "Stand up slowly",
        body: "Some medicines and health conditions can make you dizzy when you stand. Sit at the edge of the bed for a moment before getting up, and tell your care team if you often feel dizzy.",
    },
    Tip {
        title: "Wear shoes with non-slip soles",
        body: "Sturdy, well-fitting shoes with thin, non-slip soles give better footing than slippers or socks. Wear them indoors as well as outside.",
    },
    Tip {
        title: "Share memory changes with your care team",
        body: "Some forgetfulness is normal with age. If you or your family notice memory problems that get in the way of daily life, bring them up at your next visit.",
    },
];
